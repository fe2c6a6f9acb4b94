#!/usr/bin/env python3
"""kics_check.py COMPOSEC COMPOSE - composec's audit on KICS's Docker Compose
samples (tests/audit/kics/) against tests/audit/kics-expected.tsv.

Each sample is first given to docker compose's own `config` (COMPOSE, the
docker-compose binary): one it refuses is not judged.  composec audits each judged sample (--format json); a positive
must get one of the query's rules, a negative none, unless the table lists
the sample with its verdict; a listed difference that is gone fails too.
A positive's finding must also be at the line of each of KICS's expected
results for the sample (positive_expected_result.json: the line, and the
service its searchKey names), or the sample is listed as elsewhere.
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
queries = judged = invalid = located = at_item = 0
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
    expected = {}
    result = os.path.join(qdir, "positive_expected_result.json")
    if os.path.exists(result):
        for e in json.load(open(result, encoding="utf-8")):
            key = e.get("searchKey", "")
            parts = key.split(".")
            service = parts[1] if len(parts) > 1 and parts[0] == "services" else None
            expected.setdefault(e.get("filename") or "positive.yaml", []).append(
                {"line": e["line"], "service": service, "key": key})
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
                    ours = [x for x in json.loads(r.stdout)["findings"] if not x.get("suppressed")]
                    found = {x["rule_id"] for x in ours}
                    hit = bool(found & rules)
                    got = "as-kics" if hit == positive else ("missed" if positive else "reported")
                    if got == "as-kics" and positive:
                        # on the item: each of KICS's expected results for the sample (its
                        # service and line) gets one of the rules at that line
                        for e in expected.get(sample, []):
                            located += 1
                            if any(x["rule_id"] in rules and x["line"] == e["line"] and
                                   (e["service"] is None or x.get("service") == e["service"]) for x in ours):
                                at_item += 1
                            else:
                                got = "elsewhere"
                                lines = sorted({x["line"] for x in ours if x["rule_id"] in rules and
                                                (e["service"] is None or x.get("service") == e["service"])})
                                print(f"  {query}/{sample}: KICS at line {e['line']} ({e['key']}), composec at {lines}")
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
        if got != "elsewhere":  # a verdict as KICS's, at another line, keeps the query the same
            same = False
        fits = {"invalid": want == "invalid", "loader": want == "loader", "elsewhere": want == "elsewhere",
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
      f"{judged} samples judged, {invalid} that docker compose refuses; {located} expected results of the "
      f"positives found, {at_item} at KICS's line; {len(problems)} problems")
sys.exit(1 if problems else 0)
