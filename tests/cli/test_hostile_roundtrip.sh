#!/bin/sh
# Hostile strings survive the plan (JSON) and Kubernetes (YAML) targets
# byte-exact: the output of golden/k8s-hostile/compose.yaml, whose string
# fields hold quotes, $, %, backslashes, newlines, tabs, shell operators,
# Unicode, leading dashes and empty strings, is parsed back and compared
# field by field with the model (`composec config --format json`) and with
# the literal list the file starts with.  For Kubernetes the comparison
# applies what the kubelet does to command, args and env values ($$ -> $,
# $(VAR) expands), so it checks what the container will really receive.
#
# Needs python3 with PyYAML; skipped without it (with
# COMPOSEC_REQUIRE_TOOLS=1, set by CI, a skip is a failure).
set -eu
composec=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
if ! python3 -c 'import yaml' 2>/dev/null; then
	echo "SKIP python3 with PyYAML is not installed"
	[ "${COMPOSEC_REQUIRE_TOOLS-}" = 1 ] && { echo "FAIL skipped although COMPOSEC_REQUIRE_TOOLS=1"; exit 1; }
	exit 77 # CTest: skipped
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$top/golden/k8s-hostile/compose.yaml
"$composec" config --format json -f "$src" >"$tmp/model.json"
"$composec" plan -f "$src" >"$tmp/plan.json"
"$composec" k8s -f "$src" -o "$tmp/k8s" 2>/dev/null
"$composec" k8s --format json -f "$src" -o "$tmp/k8s-json" 2>/dev/null

python3 - "$src" "$tmp/model.json" "$tmp/plan.json" "$tmp/k8s" "$tmp/k8s-json" <<'EOF'
import json, os, re, sys
import yaml

src, model_path, plan_path, k8s_dir, k8s_json_dir = sys.argv[1:]
fails = []
checks = 0

def same(what, got, want):
    global checks
    checks += 1
    if got != want:
        fails.append("%s:\n    got  %r\n    want %r" % (what, got, want))

def unescape(v):
    """compose's "$$" is one "$" (config prints every literal $ that way)"""
    if isinstance(v, str):
        return v.replace("$$", "$")
    if isinstance(v, list):
        return [unescape(x) for x in v]
    if isinstance(v, dict):
        return {k: unescape(x) for k, x in v.items()}
    return v

model = unescape(json.load(open(model_path)))
svc = model["services"]["odd.name_-x"]

# The literal list at the top of the file, read with PyYAML: the model
# must hold it exactly (as command and as the first pre_start command).
with open(src) as f:
    literal = unescape(yaml.safe_load(f)["x-hostile"])
same("model command == x-hostile", svc["command"], literal)
same("model pre_start[0] == x-hostile", svc["pre_start"][0]["command"], literal)

# ---- plan: argv lists, exactly what composec-run hands to the engine ----
plan = json.load(open(plan_path))
ps = [s for s in plan["services"] if s["name"] == "odd.name_-x"][0]
c = ps["containers"][0]
argv = c["create"]
image = svc["image"]
i = argv.index(image)
opts, tail = argv[:i], argv[i + 1:]
same("plan create: entrypoint", [a[len("--entrypoint="):] for a in opts if a.startswith("--entrypoint=")] + tail[:len(svc["entrypoint"]) - 1], svc["entrypoint"])
same("plan create: command", tail[len(svc["entrypoint"]) - 1:], svc["command"])
env = dict(a[len("--env="):].split("=", 1) for a in opts if a.startswith("--env="))
same("plan create: environment", env, svc["environment"])
labels = dict(a[len("--label="):].split("=", 1) for a in opts if a.startswith("--label=") and "com.docker.compose" not in a)
same("plan create: labels", labels, svc["labels"])
same("plan create: workdir", [a[len("--workdir="):] for a in opts if a.startswith("--workdir=")], [svc["working_dir"]])
same("plan create: hostname", [a[len("--hostname="):] for a in opts if a.startswith("--hostname=")], [svc["hostname"]])
same("plan create: health-cmd", [a[len("--health-cmd="):] for a in opts if a.startswith("--health-cmd=")], [svc["healthcheck"]["test"][1]])
same("plan create: first volume", [a for a in opts if a.startswith("--volume=")][0], "--volume=%s:%s" % (svc["volumes"][0]["source"], svc["volumes"][0]["target"]))
for n, step in enumerate(c["pre_start"]):
    a = step["argv"]
    want = svc["pre_start"][n]
    same("plan pre_start %d: command" % (n + 1), a[a.index(want.get("image", image)) + 1:], want["command"])
    stepenv = dict(x[len("--env="):].split("=", 1) for x in a if x.startswith("--env="))
    for k, v in want.get("environment", {}).items():
        same("plan pre_start %d: env %s" % (n + 1, k), stepenv.get(k), v)
    if "working_dir" in want:
        same("plan pre_start %d: workdir" % (n + 1), [x[len("--workdir="):] for x in a if x.startswith("--workdir=")], [want["working_dir"]])
for hook in ("post_start", "pre_stop"):
    for n, argv2 in enumerate(c[hook]):
        same("plan %s %d" % (hook, n + 1), argv2[argv2.index("hostile-odd.name_-x-1") + 1:], svc[hook][n]["command"])

# ---- Kubernetes: YAML and JSON, after the kubelet's $(VAR) expansion ----
def kubelet_expand(s, defined):
    """k8s.io/kubernetes/third_party/forked/golang/expansion: $$ is $,
    $(NAME) is NAME's value when defined (composec must never let that
    happen by accident), anything else after $ is literal."""
    out, i = [], 0
    while i < len(s):
        if s[i] == "$" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt == "$":
                out.append("$"); i += 2; continue
            if nxt == "(":
                j = s.find(")", i + 2)
                if j >= 0:
                    name = s[i + 2:j]
                    if name in defined:
                        fails.append("kubelet would expand $(%s) in %r" % (name, s))
                    out.append(s[i:j + 1]); i = j + 1; continue
            out.append("$" + nxt); i += 2; continue
        out.append(s[i]); i += 1
    return "".join(out)

def check_k8s(kind, docs):
    dep = [d for d in docs if d and d.get("kind") == "Deployment" and d["metadata"]["name"] == "odd-name-x"][0]
    spec = dep["spec"]["template"]["spec"]
    main = [x for x in spec["containers"]][0]
    defined = {e["name"] for e in main.get("env", [])}
    ex = lambda l: [kubelet_expand(x, defined) for x in l]
    same(kind + " image", main["image"], image)
    same(kind + " command", ex(main["command"]), svc["entrypoint"])
    same(kind + " args", ex(main["args"]), svc["command"])
    same(kind + " workingDir", main["workingDir"], svc["working_dir"])
    same(kind + " env", {e["name"]: kubelet_expand(e["value"], defined) for e in main["env"]}, svc["environment"])
    if "hostname" in spec:  # left out, with a warning, when not a DNS label
        same(kind + " hostname", spec["hostname"], svc["hostname"])
    for n, ic in enumerate(spec["initContainers"]):
        want = svc["pre_start"][n]
        got = ex(ic.get("command", []) + ic.get("args", []))
        same(kind + " pre_start %d" % (n + 1), got, want["command"])
        if "working_dir" in want:
            same(kind + " pre_start %d workingDir" % (n + 1), ic.get("workingDir"), want["working_dir"])
        ienv = {e["name"]: kubelet_expand(e["value"], defined) for e in ic.get("env", [])}
        for k, v in want.get("environment", {}).items():
            same(kind + " pre_start %d env %s" % (n + 1, k), ienv.get(k), v)
    ann = dep["spec"]["template"]["metadata"].get("annotations", {})
    same(kind + " annotation x.y", ann.get("x.y"), svc["labels"]["x.y"])

def load_dir(d, loader):
    docs = []
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name)) as f:
            docs.extend(loader(f))
    return docs

check_k8s("k8s yaml", load_dir(k8s_dir, yaml.safe_load_all))
check_k8s("k8s json", load_dir(k8s_json_dir, lambda f: [json.load(f)]))

for f in fails:
    print("FAIL " + f)
print("test_hostile_roundtrip: %d checks, %d failed" % (checks, len(fails)))
sys.exit(1 if fails else 0)
EOF
