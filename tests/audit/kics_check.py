#!/usr/bin/env python3
"""kics_check.py COMPOSEC COMPOSE - composec's audit on KICS's Docker Compose
samples (tests/audit/kics/) against tests/audit/kics-expected.tsv.

Each sample is first given to docker compose's own `config` (COMPOSE, the
docker-compose binary): one it refuses is not judged.  composec audits each judged sample (--format json); a positive
must get one of the query's rules, a negative none, unless the table lists
the sample with its verdict; a listed difference that is gone fails too.
Prints one line per query and the figures; exit 1 on a mismatch."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
composec, compose = sys.argv[1], sys.argv[2]

table = {}
with open(os.path.join(here, "kics-expected.tsv"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        rules = set() if cols[1] == "-" else set(cols[1].split(","))
        exceptions = {}
        for item in cols[2].split(" ; ") if len(cols) > 2 else []:
            sample, verdict = item.split("=", 1)
            exceptions[sample] = verdict.split(":", 1)[0]
        table[cols[0]] = (rules, exceptions)

env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
problems = []
queries = judged = invalid = 0
matched = []
kics = os.path.join(here, "kics")
for query in sorted(os.listdir(kics)):
    qdir = os.path.join(kics, query)
    if not os.path.isdir(qdir):
        continue
    queries += 1
    if query not in table:
        problems.append(f"{query}: not in kics-expected.tsv")
        continue
    rules, exceptions = table[query]
    samples = sorted(f for f in os.listdir(qdir) if f.endswith(".yaml"))
    for listed in exceptions:
        if listed not in samples:
            problems.append(f"{query}/{listed}: listed, but there is no such sample")
    same = True
    for sample in samples:
        positive = sample.startswith("positive")
        work = tempfile.mkdtemp()
        try:
            shutil.copy(os.path.join(qdir, sample), os.path.join(work, "compose.yaml"))
            ok = subprocess.run([compose, "config", "-q"], cwd=work, env=env,
                                capture_output=True).returncode == 0
            if not ok:
                invalid += 1
                got = "invalid"
            else:
                judged += 1
                r = subprocess.run([composec, "audit", "--format", "json"], cwd=work, env=env,
                                   capture_output=True, text=True)
                if r.returncode not in (0, 1) or not r.stdout:
                    got = "loader"
                else:
                    found = {x["rule_id"] for x in json.loads(r.stdout)["findings"] if not x.get("suppressed")}
                    hit = bool(found & rules)
                    got = "as-kics" if hit == positive else ("missed" if positive else "reported")
        finally:
            shutil.rmtree(work)
        want = exceptions.get(sample)
        if got == "invalid":  # not judged: only docker compose's valid files count
            if want and want != "invalid":
                problems.append(f"{query}/{sample}: docker compose refuses it, but it is listed as {want}")
            continue
        if got == "as-kics":
            if want and want != "invalid":
                problems.append(f"{query}/{sample}: now as KICS, but listed as {want}: update the table")
            elif want == "invalid":
                problems.append(f"{query}/{sample}: docker compose accepts it now, but listed as invalid")
            continue
        same = False
        fits = {"invalid": want == "invalid", "loader": want == "loader",
                "missed": want in ("gap", "deliberate"), "reported": want in ("broader", "deliberate")}[got]
        if not fits:
            problems.append(f"{query}/{sample}: {got}, listed as {want or 'nothing'}")
    if same:
        matched.append(query)
    print(f"{'same as KICS' if same else 'differs     '} {query}")
# the README's table says what the table here says
readme = open(os.path.join(here, "..", "..", "README.md"), encoding="utf-8").read()
for query, (rules, _) in table.items():
    shown = "none" if not rules else None
    row = next((l for l in readme.splitlines() if l.startswith(f"| `{query}` |")), None)
    if row is None:
        problems.append(f"{query}: no row in the README's table")
    elif shown is None and any(f"`{r}`" not in row.split("|")[2] for r in rules):
        problems.append(f"{query}: the README's row names other rules than kics-expected.tsv")
for p in problems:
    print("FAIL " + p)
print(f"kics: {queries} queries, {len(matched)} give every judged sample as KICS does; "
      f"{judged} samples judged, {invalid} that docker compose refuses; {len(problems)} problems")
sys.exit(1 if problems else 0)
