"""reflib.py: what the reference tests share (config_diff.py, created_diff.py).

Their tables of known differences (tab-separated, `#` comments), the short
form of a value in a message, and the expect() of their self-tests.
"""

import json


def read_table(path, columns):
    """The rows of a table whose lines hold these tab-separated columns, each
    a dict of them plus its line number and a use count; a line of another
    shape, or with an empty column, stops the test."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != len(columns) or not all(p.strip() for p in parts):
                raise SystemExit(f"{path}:{n}: want {'<TAB>'.join(c.upper() for c in columns)}: {line!r}")
            rows.append(dict(zip(columns, parts), line=n, used=0))
    return rows


def short(v):
    """A value for a message: a string as it is, anything else as JSON, cut at 160 characters."""
    s = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    return s if len(s) <= 160 else s[:157] + "..."


class SelfTest:
    """expect(what, cond) for each check, then done(): prints the verdict, returns the exit status."""

    def __init__(self):
        self.fails = 0

    def expect(self, what, cond):
        if not cond:
            print(f"FAIL self-test: {what}")
            self.fails += 1

    def done(self):
        print(f"self-test: {'ok' if not self.fails else f'{self.fails} failed'}")
        return 1 if self.fails else 0
