#!/usr/bin/env python3
"""compare.py TOOL COMPOSEC COMPOSE [DCLINT] - composec's audit against another
scanner's findings on that scanner's own samples, service by service.

TOOL is compose-lint or dclint.  The samples are in tests/audit/TOOL/ (copied
under the tool's licence, see SOURCE.md there).  compose-lint cannot run here
(a Python package from no Debian suite): its findings on the samples, taken
from compose-lint 0.22.0, are in compose-lint/findings.tsv.  dclint runs for
real (DCLINT, the dclint command from npm; tests/audit/dclint-tool).

Each sample is first given to docker compose's own `config` (COMPOSE): one it
refuses is not judged.  tests/audit/TOOL-expected.tsv maps each of the tool's
rules to composec's rules that answer it and lists where composec differs.
For every service of a judged sample:
  - each finding of the tool whose rule maps to composec rules must get one
    of them on the same service; for compose-lint, on the same line (the
    item the finding is about), since dclint only names the service's
    section;
  - each finding of composec whose rule answers some rule of the tool must be
    answered by one of the tool's findings on that service;
unless the table lists the difference (sample, service, rule; `*` matches
any) with its verdict: deliberate, broader, loader, gap, elsewhere.  A listed
difference that is gone fails as well, and the README's table must name the
same composec rules for each rule of the tool."""
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
tool, composec, compose = sys.argv[1], sys.argv[2], sys.argv[3]
dclint = sys.argv[4] if len(sys.argv) > 4 else None
samples_dir = os.path.join(here, tool)

maps, diffs, problems = {}, [], []
with open(os.path.join(here, f"{tool}-expected.tsv"), encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if cols[0] == "map" and len(cols) >= 3:
            maps[cols[1]] = set() if cols[2] == "-" else set(cols[2].split(","))
            if cols[2] == "-" and (len(cols) < 4 or ":" not in cols[3]):
                problems.append(f"{tool}-expected.tsv:{n}: {cols[1]} answered by nothing, and no why")
        elif cols[0] == "diff" and len(cols) == 5 and ": " in cols[4]:
            diffs.append({"sample": cols[1], "service": cols[2], "rule": cols[3],
                          "verdict": cols[4].split(":", 1)[0], "line": n, "used": False})
        else:
            problems.append(f"{tool}-expected.tsv:{n}: not a map or diff line")
answers = set().union(*maps.values()) if maps else set()

# what a difference may be listed as
fitting = {"missed": ("gap", "deliberate", "loader"), "elsewhere": ("elsewhere",),
           "reported": ("broader", "deliberate")}


def listed(sample, service, rule, got):
    for d in diffs:
        if fnmatch.fnmatchcase(sample, d["sample"]) and fnmatch.fnmatchcase(service, d["service"]) \
                and d["rule"] == rule:
            d["used"] = True
            if d["verdict"] not in fitting[got]:
                problems.append(f"{sample} {service} {rule}: {got}, listed as {d['verdict']}")
            return True
    return False


def samples():
    for root, _, files in os.walk(samples_dir):
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")):
                yield os.path.relpath(os.path.join(root, name), samples_dir)


def tool_findings(sample, path):
    """{service: [(rule, line)]} of the tool on SAMPLE."""
    out = {}
    if tool == "compose-lint":
        with open(os.path.join(samples_dir, "findings.tsv"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                file, service, rule, at = line.rstrip("\n").split("\t")
                if file == sample:
                    out.setdefault(service, []).append((rule, int(at)))
        return out
    r = subprocess.run([dclint, "-f", "json", "--color", "false", os.path.basename(path)],
                       cwd=os.path.dirname(path), capture_output=True, text=True)
    for report in json.loads(r.stdout):
        for m in report["messages"]:
            service = (m.get("data") or {}).get("serviceName", "-")
            out.setdefault(service, []).append((m["rule"], m["line"]))
    return out


def service_blocks(text):
    """[(service, first line index, end)] of the services mapping, written at
    an indentation of two (as the samples are)."""
    lines, blocks, inside = text.split("\n"), [], False
    for i, line in enumerate(lines):
        if line and not line[0].isspace() and not line.startswith("#"):
            if blocks and blocks[-1][2] is None:
                blocks[-1][2] = i
            inside = line.rstrip() == "services:"
        elif inside and line.startswith("  ") and line[2:3] not in (" ", "#", "-", "") and ":" in line:
            if blocks and blocks[-1][2] is None:
                blocks[-1][2] = i
            blocks.append([line.strip().split(":")[0].strip("'\""), i, None])
    if blocks and blocks[-1][2] is None:
        blocks[-1][2] = len(lines)
    return lines, blocks


def variants(text):
    """The sample as it is; when docker compose refuses it, each service alone:
    the others' lines turned into comments, so every line keeps its number."""
    yield None, text
    lines, blocks = service_blocks(text)
    for name, start, end in blocks:
        kept = [("#" if any(b <= i < e for n, b, e in blocks if n != name) else line)
                for i, line in enumerate(lines)]
        yield name, "\n".join(kept)


env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
judged = refused = alone = agreed = 0
total = 0


def judge(sample, text):
    """(tool's findings, composec's findings) by service, None when docker
    compose refuses TEXT."""
    work = tempfile.mkdtemp()
    try:
        path = os.path.join(work, "compose.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if subprocess.run([compose, "config", "-q"], cwd=work, env=env, capture_output=True).returncode:
            return None
        theirs = tool_findings(sample, path)
        r = subprocess.run([composec, "audit", "--format", "json"], cwd=work, env=env,
                           capture_output=True, text=True)
        ours = {}
        if r.returncode in (0, 1) and r.stdout:
            for x in json.loads(r.stdout)["findings"]:
                if not x.get("suppressed"):
                    ours.setdefault(x.get("service") or "-", []).append((x["rule_id"], x["line"]))
        else:
            ours = None
        return theirs, ours
    finally:
        shutil.rmtree(work)


for sample in samples():
    with open(os.path.join(samples_dir, sample), encoding="utf-8") as f:
        text = f.read()
    units = []
    for only, variant in variants(text):
        got = judge(sample, variant)
        if only is None and got is not None:
            judged += 1
            units.append((None, got))
            break
        if only is None:
            refused += 1
        elif got is not None:
            alone += 1
            units.append((only, got))
    for only, (theirs, ours) in units:
        for service in sorted(set(theirs) | set(ours or {})):
            if only is not None and service != only:
                continue  # a finding the tool gives on the whole file only
            t, c = theirs.get(service, []), (ours or {}).get(service, [])
            for rule, at in t:
                want = maps.get(rule)
                if want is None:
                    problems.append(f"{sample} {service}: {tool} rule {rule} is not in {tool}-expected.tsv")
                    continue
                if not want:
                    continue
                total += 1
                if ours is None:
                    got = "missed"
                elif any(m in want and (tool == "dclint" or l == at) for m, l in c):
                    agreed += 1
                    continue
                else:
                    got = "elsewhere" if any(m in want for m, _ in c) else "missed"
                if not listed(sample, service, rule, got):
                    where = [l for m, l in c if m in want]
                    problems.append(f"{sample} {service} {rule} (line {at}): {got}"
                                    + (f", composec at line {where}" if where else ""))
            for m, at in c:
                if m in answers and not any(m in maps.get(rule, ()) for rule, _ in t):
                    if not listed(sample, service, m, "reported"):
                        problems.append(f"{sample} {service} {m} (line {at}): composec reports it, {tool} does not")
for d in diffs:
    if not d["used"]:
        problems.append(f"{tool}-expected.tsv:{d['line']}: {d['sample']} {d['service']} {d['rule']}: "
                        f"listed as {d['verdict']}, but no such difference")
readme = open(os.path.join(here, "..", "..", "README.md"), encoding="utf-8").read().splitlines()
for rule, want in maps.items():
    row = next((l for l in readme if l.startswith(f"| `{rule}` |")), None)
    if row is None:
        problems.append(f"{rule}: no row in the README's table")
    elif any(f"`{m}`" not in row.split("|")[2] for m in want) or (not want and "none" not in row.split("|")[2]):
        problems.append(f"{rule}: the README's row names other rules than {tool}-expected.tsv")
for p in problems:
    print("FAIL " + p)
print(f"{tool}: {judged} samples judged, {refused} that docker compose refuses ({alone} of their services "
      f"judged alone); {total} findings of "
      f"{tool} with a composec counterpart, {agreed} answered on the item; "
      f"{sum(d['used'] for d in diffs)} listed differences; {len(problems)} problems")
sys.exit(1 if problems else 0)
