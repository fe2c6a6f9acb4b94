#!/usr/bin/env python3
"""config_diff.py: composec's resolved model against docker compose's own.

usage: config_diff.py COMPOSEC DOCKER_COMPOSE GOLDEN_DIR TABLE [CASE...]
       config_diff.py --self-test

For every golden case (GOLDEN_DIR/<case>/, the corpus files among them), run
`composec config --format json` and `docker compose config --format json` in
the same directory (a copy under /tmp with the case's name, so the project name
and every absolute path are the same), with the case's environment (its `env`
file plus PATH and HOME), its standard input and the loading options of its
`args` (-f, -p, --project-directory, --env-file, --profile; the options of
other subcommands are dropped).  Then, case by case:

  - both load: the two models, after the normalisation below, must be equal;
    every difference is a JSON path with the two values;
  - both fail: the kind of error (classify() below) must be the same;
  - one fails: a difference at the path "!exit".

TABLE lists the deliberate differences, one per line: CASE, PATH and the
reason, separated by tabs (PATH covers itself and everything below it).  A
difference not in the table fails; so does an entry that matches no difference
any more, so the table stays true.  Prints one line per case and a summary.

Compose predates the lifecycle hooks (pre_start, post_start, pre_stop): they
are cut from the files docker compose reads (strip_hooks), taken out of
composec's model, and checked on their own against the specification's shape
(check_hooks).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

import reflib

HOOKS = ("pre_start", "post_start", "pre_stop")

# ---- the normalisation ---------------------------------------------------------------------------
#
# It removes representation only, never a value.  Each rule names its reason;
# --self-test proves that a changed value still fails the comparison after it.
#
# N1 Key order: JSON objects are compared as mappings (compose prints its own
#    field order, composec sorts).
# N2 `ipam: {}` on a network: compose-go's network config holds an IPAM
#    struct that its JSON prints even when empty; an empty IPAM is no IPAM
#    (compose-go's own `IPAMConfig` has no field set), and composec omits it.
#    Only the empty mapping is dropped; an ipam with any field is compared.
# N3 Fields docker compose's JSON drops but its YAML keeps (top-level
#    `models`, a service's `x-*` keys; ../TESTING.md): taken from compose's
#    YAML output and added to its JSON, never dropped from composec's.
# N4 The hooks (pre_start, post_start, pre_stop) leave composec's model before
#    the comparison: compose never saw them.  They are checked by check_hooks.


# N5 A service's `deploy.placement: {}` and `deploy.resources: {}`: compose-go
#    prints these structs whenever `deploy` is set, empty or not; an empty one
#    sets nothing, as an absent one.  Only the empty mapping is dropped.
# N6 `privileged`, `read_only`, `tty`, `stdin_open` false: plain booleans in
#    compose-go (not pointers), so false and absent are the same value there;
#    its JSON omits false, composec prints what the file says.  Only false is
#    dropped, and only on these four.
# N7 A develop.watch rule's `exec: {command: null}`: compose-go's watch rule
#    holds an exec hook struct that its JSON prints even for a sync or rebuild
#    rule; a hook without a command runs nothing.  Only that exact mapping
#    is dropped; an exec with a command is compared.
ZERO_STRUCTS = (("networks", "ipam"), ("services", "deploy", "placement"),
                ("services", "deploy", "resources"))
PLAIN_BOOLS = ("privileged", "read_only", "tty", "stdin_open")


def drop_empty(top, path):
    """N2, N5: delete an empty mapping at top-level section / entry / path."""
    for entry in (top.get(path[0]) or {}).values():
        node, keys = entry, path[1:]
        while isinstance(node, dict) and len(keys) > 1:
            node, keys = node.get(keys[0]), keys[1:]
        if isinstance(node, dict) and node.get(keys[0]) == {}:
            del node[keys[0]]


def normalise_composec(model):
    """N6 on composec's model."""
    for svc in (model.get("services") or {}).values():
        for k in PLAIN_BOOLS:
            if svc.get(k) is False:
                del svc[k]
    return model


def normalise_compose(model, yaml_model):
    """N2, N3 and N5 on docker compose's model."""
    for path in ZERO_STRUCTS:
        drop_empty(model, path)
    for svc in (model.get("services") or {}).values():
        for rule in ((svc.get("develop") or {}).get("watch") or []):
            if isinstance(rule, dict) and rule.get("exec") == {"command": None}:
                del rule["exec"]
    if yaml_model:
        if "models" in yaml_model and "models" not in model:
            model["models"] = yaml_model["models"]
        ysvc = yaml_model.get("services") or {}
        for name, svc in (model.get("services") or {}).items():
            for k, v in (ysvc.get(name) or {}).items():
                if k.startswith("x-") and k not in svc:
                    svc[k] = v
    return model


def take_hooks(model):
    """N4: the hooks of composec's model, removed from it: {service: {hook: value}}."""
    hooks = {}
    for name, svc in (model.get("services") or {}).items():
        for h in HOOKS:
            if h in svc:
                hooks.setdefault(name, {})[h] = svc.pop(h)
    return hooks


# The shape of a hook in the specification (05-services.md, "post_start",
# "pre_stop", and composec's pre_start): a sequence of mappings with a command
# and these optional fields.
HOOK_FIELDS = {"command", "user", "privileged", "working_dir", "environment", "image", "per_replica"}


def check_hooks(hooks):
    """Problems with the hooks composec resolved, as strings."""
    bad = []
    for svc, hs in sorted(hooks.items()):
        for h, steps in sorted(hs.items()):
            if not isinstance(steps, list):
                bad.append(f"services.{svc}.{h}: not a sequence")
                continue
            for i, step in enumerate(steps):
                where = f"services.{svc}.{h}[{i}]"
                if not isinstance(step, dict):
                    bad.append(f"{where}: not a mapping")
                    continue
                extra = set(step) - HOOK_FIELDS
                if extra:
                    bad.append(f"{where}: fields the specification does not have: {sorted(extra)}")
                cmd = step.get("command")
                if not (isinstance(cmd, list) and cmd and all(isinstance(w, str) for w in cmd)):
                    bad.append(f"{where}.command: not a non-empty list of strings: {cmd!r}")
                env = step.get("environment", {})
                if not isinstance(env, dict):
                    bad.append(f"{where}.environment: not a mapping")
                for b in ("privileged", "per_replica"):
                    if b in step and not isinstance(step[b], bool):
                        bad.append(f"{where}.{b}: not a boolean")
    return bad


def diff(a, b, path=""):
    """Paths where a (composec) and b (compose) differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            p = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append((p, "<absent>", b[k]))
            elif k not in b:
                out.append((p, a[k], "<absent>"))
            else:
                out.extend(diff(a[k], b[k], p))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(diff(x, y, f"{path}[{i}]"))
        return out
    if a == b and type(a) is type(b):
        return []
    return [(path, a, b)]


# ---- errors ----------------------------------------------------------------------------------------
#
# The kind of an error, from each side's message: the first rule whose
# pattern matches.  The kinds are coarse on purpose (the wording differs, the
# cause must not).

ERROR_KINDS = [
    ("timeout", r"^timeout: still running"),
    ("type", r"cannot unmarshal|must be a mapping|must be a|expected .* got|invalid type|wrong type"),
    ("yaml", r"^yaml: |\byaml: line|did not find expected|could not find expected|invalid yaml|"
             r"found character that cannot|mapping values are not allowed|block sequence"),
    ("duplicate-key", r"duplicate key|already defined|mapping key .* already"),
    ("alias-bomb", r"alias|expands to"),
    ("nesting", r"nesting|too deep|depth"),
    ("cycle", r"cycle|circular"),
    ("interpolation", r"interpolat|required variable|is missing a value|invalid template|substitut"),
    ("missing-file", r"no such file|not found|cannot open|does not exist"),
    ("unknown-attribute", r"additional propert|unknown (?:top-level )?attribute"),
    ("build-context", r"additional contexts?\b"),
    ("duplicate-item", r"items (?:at )?\d+ and \d+ are equal"),
    ("undefined-service", r"undefined service|depends on undefined|unknown service"),
    ("invalid-address", r"invalid ip address"),
    ("conflict", r"mutually exclusive|conflict|cannot be used|disagree|distinct values"),
    ("empty", r"empty compose file|no service|no configuration|not a mapping|top-level object"),
    ("project-name", r"project name"),
]

# A location or file name says nothing of the kind (and a path may hold
# "yaml:"): cut "FILE.yaml:LINE:COL:" and absolute paths before classifying.
LOCATION = re.compile(r"\S*\.ya?ml(?::\d+)*:?|/\S+")


def classify(stderr):
    low = LOCATION.sub(" ", stderr.lower())
    for kind, pat in ERROR_KINDS:
        if re.search(pat, low, re.M):
            return kind
    return "other"


# ---- running one case -------------------------------------------------------------------------------

LOAD_OPTS = {"-f", "--file", "-p", "--project-name", "--project-directory", "--env-file", "--profile"}
VALUE_OPTS = {"-o", "--output", "--engine", "--format", "--fail-on", "--podman-version", "--namespace",
              "--ignore-file"}
SUBCOMMANDS = {"config", "systemd", "quadlet", "k8s", "sh", "plan", "audit"}


def load_options(args):
    """The loading options of a case's composec arguments, and whether it
    asked for --strict; None when the case is not a loading case (no model)."""
    out, strict, i, sub = [], False, 0, None
    while i < len(args):
        a = args[i]
        if a in LOAD_OPTS and i + 1 < len(args):
            out += [a, args[i + 1]]
            i += 2
            continue
        if a in VALUE_OPTS:
            i += 2
            continue
        if a == "--strict":
            strict = True
        elif a in ("--list-rules", "--help", "--version"):
            return None, False
        elif not a.startswith("-") and sub is None and a in SUBCOMMANDS:
            sub = a
        elif not a.startswith("-"):
            out += ["-f", a]
        i += 1
    return out, strict


def read_case(casedir):
    args = ["config"]
    if os.path.exists(os.path.join(casedir, "args")):
        with open(os.path.join(casedir, "args"), encoding="utf-8") as f:
            args = f.read().split("\n")
            if args and args[-1] == "":
                args.pop()
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    if os.path.exists(os.path.join(casedir, "env")):
        with open(os.path.join(casedir, "env"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    k, _, v = line.partition("=")
                    env[k] = v
    stdin = b""
    if os.path.exists(os.path.join(casedir, "stdin")):
        with open(os.path.join(casedir, "stdin"), "rb") as f:
            stdin = f.read()
    return args, env, stdin


def strip_hooks_text(text):
    """The text of a compose file without its services' hook blocks: a line
    `<indent>pre_start:` (or post_start, pre_stop) and the lines after it that
    are blank or indented deeper.  Block style only, which is how the cases
    write them; a file compose then cannot read shows up as a difference."""
    out, cut = [], None
    key = re.compile(r"^(\s+)(?:%s)\s*:" % "|".join(HOOKS))
    for line in text.splitlines(keepends=True):
        if cut is not None:
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if stripped == "" or indent > cut:
                continue
            cut = None
        m = key.match(line)
        if m:
            cut = len(m.group(1))
            continue
        out.append(line)
    return "".join(out)


def strip_hooks(root):
    for d, _, files in os.walk(root):
        for f in files:
            if f.endswith((".yaml", ".yml")):
                p = os.path.join(d, f)
                with open(p, encoding="utf-8", errors="surrogateescape") as fh:
                    text = fh.read()
                new = strip_hooks_text(text)
                if new != text:
                    with open(p, "w", encoding="utf-8", errors="surrogateescape") as fh:
                        fh.write(new)


def run(argv, cwd, env, stdin):
    """(exit status, stdout, stderr); a run past 30 s is stopped: status 124, kind "timeout"."""
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, input=stdin, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        return 124, "", "timeout: still running after 30 s"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Result:
    def __init__(self, case):
        self.case = case
        self.diffs = []      # (path, composec, compose)
        self.hook_problems = []
        self.note = ""


def run_case(composec, compose, casedir, workroot):
    name = os.path.basename(casedir)
    res = Result(name)
    args, env, stdin = read_case(casedir)
    opts, strict = load_options(args)
    if opts is None:
        res.note = "not a loading case"
        return res
    work = os.path.join(workroot, name)
    shutil.copytree(casedir, work, symlinks=True, ignore=shutil.ignore_patterns("expected"))
    c_argv = [composec, "config", "--format", "json"] + (["--strict"] if strict else []) + opts
    crc, cout, cerr = run(c_argv, work, env, stdin)
    strip_hooks(work)
    denv = dict(env, DOCKER_CONFIG="/nonexistent")
    drc, dout, derr = run([compose] + opts + ["config", "--format", "json"], work, denv, stdin)
    if crc == 0 and drc == 0:
        _, yout, _ = run([compose] + opts + ["config", "--format", "yaml"], work, denv, stdin)
        mine = normalise_composec(json.loads(cout))
        hooks = take_hooks(mine)
        res.hook_problems = check_hooks(hooks)
        theirs = normalise_compose(json.loads(dout), yaml.safe_load(yout) if yout else None)
        res.diffs = diff(mine, theirs)
        res.note = "same model" if not res.diffs else f"{len(res.diffs)} differences"
        if hooks:
            res.note += f", hooks of {len(hooks)} services checked"
    elif crc != 0 and drc != 0:
        ck, dk = classify(cerr), classify(derr)
        res.note = f"both fail ({ck})"
        if ck != dk:
            res.diffs = [("!error", f"{ck}: {first_error(cerr)}", f"{dk}: {first_error(derr)}")]
    else:
        res.note = "composec fails, compose loads" if crc else "compose fails, composec loads"
        res.diffs = [("!exit", f"exit {crc}: {first_error(cerr)}", f"exit {drc}: {first_error(derr)}")]
    shutil.rmtree(work)
    return res


def first_error(text):
    for line in text.splitlines():
        if "error" in line.lower() or line.strip():
            return line.strip()[:200]
    return ""


# ---- the table of deliberate differences -------------------------------------------------------------

def read_table(path):
    return reflib.read_table(path, ("case", "path", "reason"))


def covers(entry_path, path):
    return path == entry_path or path.startswith(entry_path + ".") or path.startswith(entry_path + "[")


def judge(results, table):
    """(failures, listed): a failure per unlisted difference and per stale entry."""
    failures, listed = [], 0
    for r in results:
        for p in r.hook_problems:
            failures.append(f"{r.case}: hook: {p}")
        for path, mine, theirs in r.diffs:
            hit = [e for e in table if e["case"] == r.case and covers(e["path"], path)]
            if hit:
                for e in hit:
                    e["used"] += 1
                listed += 1
                continue
            failures.append(f"{r.case}: {path}: composec {short(mine)} / compose {short(theirs)}")
    ran = {r.case for r in results}
    for e in table:
        if e["case"] in ran and not e["used"]:
            failures.append(f"table line {e['line']}: {e['case']} {e['path']} no longer differs")
    return failures, listed


short = reflib.short


# ---- the self-test: the normalisation keeps values ------------------------------------------------------

def self_test():
    t = reflib.SelfTest()
    expect = t.expect

    base = {"name": "p", "services": {"a": {"image": "x", "ports": [{"target": 80}]}},
            "networks": {"default": {"name": "p_default"}}}
    same = json.loads(json.dumps(base))
    same["networks"]["default"]["ipam"] = {}
    expect("N2: an empty ipam is no ipam", diff(base, normalise_compose(same, None)) == [])
    changed = json.loads(json.dumps(same))
    changed["networks"]["default"]["ipam"] = {"driver": "default"}
    expect("N2: an ipam with a field is compared",
           diff(base, normalise_compose(changed, None)) != [])
    changed = json.loads(json.dumps(base))
    changed["services"]["a"]["image"] = "y"
    expect("N1: a changed value under reordered keys fails",
           diff(base, normalise_compose(dict(reversed(list(changed.items()))), None)) != [])
    changed = json.loads(json.dumps(base))
    changed["services"]["a"]["ports"][0]["target"] = "80"
    expect("a number against the same digits as a string fails", diff(base, changed) != [])
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["deploy"] = {"replicas": 2}
    theirs = json.loads(json.dumps(mine))
    theirs["services"]["a"]["deploy"]["placement"] = {}
    expect("N5: an empty placement is no placement", diff(mine, normalise_compose(theirs, None)) == [])
    theirs["services"]["a"]["deploy"]["resources"] = {"limits": {"cpus": 1}}
    expect("N5: resources with a field are compared", diff(mine, normalise_compose(theirs, None)) != [])
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["develop"] = {"watch": [{"path": "/p", "action": "sync"}]}
    theirs = json.loads(json.dumps(mine))
    theirs["services"]["a"]["develop"]["watch"][0]["exec"] = {"command": None}
    expect("N7: an exec hook without a command is none", diff(mine, normalise_compose(theirs, None)) == [])
    theirs["services"]["a"]["develop"]["watch"][0]["exec"] = {"command": ["make"]}
    expect("N7: an exec with a command is compared", diff(mine, normalise_compose(theirs, None)) != [])
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["privileged"] = False
    expect("N6: privileged false is absent", diff(normalise_composec(mine), base) == [])
    mine["services"]["a"]["privileged"] = True
    expect("N6: privileged true is compared", diff(normalise_composec(mine), base) != [])
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["init"] = False
    expect("N6: init false (a pointer in compose-go) is compared", diff(normalise_composec(mine), base) != [])
    expect("error kinds: a location holding yaml: is no yaml error",
           classify("compose.yaml:3:4: error: dependency cycle: a") == "cycle")
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["x-tag"] = 1
    theirs = normalise_compose(json.loads(json.dumps(base)),
                               {"services": {"a": {"x-tag": 2}}})
    expect("N3: an x- key taken from compose's YAML is compared", diff(mine, theirs) != [])
    theirs = normalise_compose(json.loads(json.dumps(base)), {"services": {"a": {"x-tag": 1}}})
    expect("N3: an equal x- key passes", diff(mine, theirs) == [])
    mine = json.loads(json.dumps(base))
    mine["services"]["a"]["pre_start"] = [{"command": ["true"], "user": "0"}]
    hooks = take_hooks(mine)
    expect("N4: hooks leave the model", diff(mine, base) == [])
    expect("N4: good hooks pass the spec check", check_hooks(hooks) == [])
    expect("N4: a hook field the spec lacks fails",
           check_hooks({"a": {"pre_start": [{"command": ["true"], "bogus": 1}]}}) != [])
    expect("N4: a hook without a command fails", check_hooks({"a": {"pre_start": [{}]}}) != [])
    text = "services:\n  a:\n    image: x\n    pre_start:\n      - command: [\"true\"]\n\n        user: \"0\"\n    restart: always\n"
    expect("strip_hooks_text cuts the block and keeps what follows",
           strip_hooks_text(text) == "services:\n  a:\n    image: x\n    restart: always\n")
    table = [{"case": "c", "path": "services.a", "reason": "r", "line": 1, "used": 0},
             {"case": "c", "path": "volumes", "reason": "r", "line": 2, "used": 0}]
    r = Result("c")
    r.diffs = [("services.a.image", "x", "y"), ("services.b", 1, 2)]
    failures, listed = judge([r], table)
    expect("a listed difference passes, an unlisted one fails, a stale entry fails",
           listed == 1 and len(failures) == 2)
    return t.done()


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    if len(argv) < 5:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    composec, compose, golden, table_path = argv[1:5]
    composec = os.path.abspath(composec)
    cases = argv[5:] or sorted(d for d in os.listdir(golden)
                               if os.path.exists(os.path.join(golden, d, "compose.yaml"))
                               or os.path.exists(os.path.join(golden, d, "args")))
    table = read_table(table_path)
    results = []
    workroot = tempfile.mkdtemp(prefix="cfgdiff.", dir="/tmp")
    try:
        for c in cases:
            r = run_case(composec, compose, os.path.join(golden, c), workroot)
            results.append(r)
            print(f"{c}: {r.note}" + ("" if not r.diffs or "differences" in r.note else
                                     f", differs at {', '.join(d[0] for d in r.diffs)}"))
    finally:
        shutil.rmtree(workroot, ignore_errors=True)
    failures, listed = judge(results, table)
    for f in failures:
        print(f"FAIL {f}")
    same = sum(1 for r in results if not r.diffs and r.note.startswith("same"))
    both = sum(1 for r in results if not r.diffs and r.note.startswith("both"))
    skipped = sum(1 for r in results if r.note == "not a loading case")
    listed_cases = sum(1 for r in results if r.diffs)
    print(f"config-diff: {len(results)} cases: {same} same model, {both} fail alike, "
          f"{listed_cases} with differences ({listed} listed), {skipped} not loading cases; "
          f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
