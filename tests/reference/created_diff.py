#!/usr/bin/env python3
"""created_diff.py: what a composec target creates against what docker compose creates.

usage: created_diff.py snapshot PROJECT OUT.json     (DOCKER_HOST names the engine)
       created_diff.py compare TABLE DIR
       created_diff.py --self-test

snapshot: every container, network and volume of PROJECT (the label
com.docker.compose.project), each reduced to the fields that decide how it
runs (FIELDS below) from `docker inspect`, keyed by what names it across tools:
a container by its service label (and its number among replicas), a network
and a volume by name.  Steps that ran and went (pre_start's `run --rm`) are
not there: only what stays is compared.

compare: DIR/CASE/compose.json is docker compose's snapshot of CASE, and each
DIR/CASE/TARGET.json a target's; each target's against compose's, field by
field.  A difference is a path (container:app.restart, network:demo_default...);
TABLE lists the known ones (CASE, TARGET, PATH, reason, tab-separated; PATH
covers what is below it, and a * in it matches any name: container:*.name;
CASE or TARGET * for all).  An unlisted difference fails, and so does an entry
that matches no difference in any case.
"""

import fnmatch
import json
import os
import re
import subprocess
import sys

import reflib

# The fields of a container that say how it runs (the list, in
# `docker inspect`'s words).  A None, "" , [] or {} is no value: the engine
# and the client print an unset field either way.
CONTAINER_FIELDS = [
    ("image", "Config.Image"),
    ("command", "Config.Cmd"),
    ("entrypoint", "Config.Entrypoint"),
    ("environment", "Config.Env"),
    ("user", "Config.User"),
    ("working_dir", "Config.WorkingDir"),
    ("labels", "Config.Labels"),
    ("ports", "HostConfig.PortBindings"),
    ("exposed", "Config.ExposedPorts"),
    ("mounts", "Mounts"),
    ("networks", "NetworkSettings.Networks"),
    ("network_mode", "HostConfig.NetworkMode"),
    ("cap_add", "HostConfig.CapAdd"),
    ("cap_drop", "HostConfig.CapDrop"),
    ("privileged", "HostConfig.Privileged"),
    ("read_only", "HostConfig.ReadonlyRootfs"),
    ("restart", "HostConfig.RestartPolicy"),
    ("security_opt", "HostConfig.SecurityOpt"),
    ("ulimits", "HostConfig.Ulimits"),
    ("sysctls", "HostConfig.Sysctls"),
    ("devices", "HostConfig.Devices"),
    ("extra_hosts", "HostConfig.ExtraHosts"),
    ("dns", "HostConfig.Dns"),
    ("dns_search", "HostConfig.DnsSearch"),
    ("dns_opt", "HostConfig.DnsOptions"),
    ("shm_size", "HostConfig.ShmSize"),
    ("memory", "HostConfig.Memory"),
    ("memory_reservation", "HostConfig.MemoryReservation"),
    ("memory_swap", "HostConfig.MemorySwap"),
    ("cpus", "HostConfig.NanoCpus"),
    ("cpu_shares", "HostConfig.CpuShares"),
    ("pids_limit", "HostConfig.PidsLimit"),
    ("init", "HostConfig.Init"),
    ("stop_signal", "Config.StopSignal"),
    ("stop_timeout", "Config.StopTimeout"),
    ("healthcheck", "Config.Healthcheck"),
    ("tty", "Config.Tty"),
    ("stdin_open", "Config.OpenStdin"),
    ("hostname", "Config.Hostname"),
    ("domainname", "Config.Domainname"),
    ("ipc", "HostConfig.IpcMode"),
    ("pid", "HostConfig.PidMode"),
    ("group_add", "HostConfig.GroupAdd"),
    ("log_config", "HostConfig.LogConfig"),
    ("name", "Name"),
]
NETWORK_FIELDS = [("driver", "Driver"), ("internal", "Internal"), ("attachable", "Attachable"),
                  ("ipv6", "EnableIPv6"), ("options", "Options"), ("labels", "Labels")]
VOLUME_FIELDS = [("driver", "Driver"), ("options", "Options"), ("labels", "Labels")]


def get(obj, dotted):
    for k in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def empty(v):
    return v is None or v == "" or v == [] or v == {}


def anonymous(name):
    """An anonymous volume's name (64 hex digits, the engine's random
    pick) as one word; any other name as it is."""
    if name and re.fullmatch(r"[0-9a-f]{64}", name):
        return "(anonymous)"
    return name


def reduce_container(c):
    out = {}
    for name, path in CONTAINER_FIELDS:
        v = get(c, path)
        if name == "environment" and isinstance(v, list):
            # podman puts the container's short id in HOSTNAME, which
            # differs per run
            short = (c.get("Id") or "")[:12]
            v = sorted(e for e in v if e != "HOSTNAME=" + short)
        elif name == "mounts" and isinstance(v, list):
            # the volume's or bind's identity and how it is mounted; the
            # host path of a named volume is the engine's business, and an
            # anonymous volume's name is random: one is any other
            v = sorted(({"type": m.get("Type"), "name": anonymous(m.get("Name")) or m.get("Source"),
                         "target": m.get("Destination"), "rw": m.get("RW")} for m in v),
                       key=lambda m: m["target"] or "")
        elif name == "networks" and isinstance(v, dict):
            # aliases minus the container's short id, which differs per run
            short = (c.get("Id") or "")[:12]
            v = {n: sorted(a for a in (e.get("Aliases") or []) if a != short) for n, e in v.items()}
        elif name == "hostname" and v == (c.get("Id") or "")[:12]:
            v = None  # the engine's default, the short id
        elif name in ("exposed", "ports") and isinstance(v, dict):
            # "5432" and "5432/tcp" are one port: an engine keeps what the
            # client sent, and tcp is the default protocol
            v = {(k if "/" in k else k + "/tcp"): p for k, p in v.items()}
        elif name == "restart" and isinstance(v, dict) and v.get("Name") == "":
            v = dict(v, Name="no")  # the CLI sends "no" where compose sends ""
        elif name == "labels" and isinstance(v, dict):
            v = dict(v)
            # docker compose joins the dependencies in its map's order,
            # which is random: a set
            deps = v.get("com.docker.compose.depends_on")
            if deps:
                v["com.docker.compose.depends_on"] = ",".join(sorted(deps.split(",")))
            # the file docker compose read is the hooks-stripped copy
            # (test_reference_created.sh) of what composec read
            files = v.get("com.docker.compose.project.config_files")
            if files:
                v["com.docker.compose.project.config_files"] = files.replace("/compose-ref.yaml", "/compose.yaml")
        if not empty(v):
            out[name] = v
    return out


def reduce_plain(obj, fields):
    out = {}
    for name, path in fields:
        v = get(obj, path)
        if not empty(v):
            out[name] = v
    return out


def docker(*args):
    p = subprocess.run(["docker", *args], capture_output=True, text=True, check=True)
    return p.stdout


def inspect_all(kind, ids):
    if not ids:
        return []
    return json.loads(docker(*([kind, "inspect"] if kind else ["inspect"]), *ids))


def snapshot(project):
    flt = f"label=com.docker.compose.project={project}"
    snap = {}
    ids = docker("ps", "-aq", "--filter", flt).split()
    for c in inspect_all(None, ids):
        labels = c["Config"].get("Labels") or {}
        key = "container:" + labels.get("com.docker.compose.service", c["Name"].lstrip("/"))
        number = labels.get("com.docker.compose.container-number", "1")
        if number != "1":  # a replica after the first: container:SERVICE#N
            key += "#" + number
        snap[key] = reduce_container(c)
    # networks and volumes by name; compose's are labelled, a target's may not be
    for n in inspect_all("network", [x for x in docker("network", "ls", "-q").split()]):
        if n["Name"].startswith(project + "_"):
            snap["network:" + n["Name"]] = reduce_plain(n, NETWORK_FIELDS)
    for v in inspect_all("volume", docker("volume", "ls", "-q").split()):
        if v["Name"].startswith(project + "_"):
            snap["volume:" + v["Name"]] = reduce_plain(v, VOLUME_FIELDS)
    return snap


def diff(a, b, path):
    """Paths where a (target) and b (docker compose) differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            p = f"{path}.{k}"
            if k not in a:
                out.append((p, "<absent>", b[k]))
            elif k not in b:
                out.append((p, a[k], "<absent>"))
            else:
                out.extend(diff(a[k], b[k], p))
        return out
    return [] if a == b else [(path, a, b)]


def read_table(path):
    return reflib.read_table(path, ("case", "target", "path", "reason"))


def covers(entry, path):
    """entry covers path and what is below it; * in entry matches within a name"""
    return fnmatch.fnmatchcase(path, entry) or fnmatch.fnmatchcase(path, entry + ".*")


def judge(diffs, table):
    """diffs: {(case, target): [(path, got, want)]}; (failures, listed)."""
    fails, listed = [], 0
    for (case, target), ds in sorted(diffs.items()):
        for path, got, want in ds:
            hit = [e for e in table if fnmatch.fnmatchcase(case, e["case"]) and e["target"] in (target, "*")
                   and covers(e["path"], path)]
            for e in hit:
                e["used"] += 1
            if hit:
                listed += 1
            else:
                fails.append(f"{case}/{target}: {path}: {short(got)} where docker compose has {short(want)}")
    for e in table:
        if not e["used"]:
            fails.append(f"table line {e['line']}: {e['case']}/{e['target']} {e['path']} no longer differs")
    return fails, listed


short = reflib.short


def self_test():
    t = reflib.SelfTest()
    expect = t.expect

    c = {"Id": "0123456789abcdef", "Name": "/p-a-1",
         "Config": {"Image": "x", "Env": ["B=2", "A=1"], "Hostname": "0123456789ab", "Labels": {}},
         "HostConfig": {"RestartPolicy": {"Name": "no", "MaximumRetryCount": 0}, "Dns": []},
         "NetworkSettings": {"Networks": {"p_default": {"Aliases": ["a", "0123456789ab"]}}}}
    c["Config"]["ExposedPorts"] = {"5432": {}, "53/udp": {}}
    c["HostConfig"]["RestartPolicy"]["Name"] = ""
    r = reduce_container(c)
    expect("env sorted", r["environment"] == ["A=1", "B=2"])
    c["Config"]["Env"] = ["HOSTNAME=0123456789ab", "HOSTNAME2=0123456789ab", "A=1"]
    expect("podman's HOSTNAME of the short id is the engine's, another value is not",
           reduce_container(c)["environment"] == ["A=1", "HOSTNAME2=0123456789ab"])
    c["Config"]["Env"] = ["B=2", "A=1"]
    expect("a port without protocol is tcp", r["exposed"] == {"5432/tcp": {}, "53/udp": {}})
    expect("no restart policy is \"no\"", r["restart"]["Name"] == "no")
    expect("the short-id hostname and alias are the engine's", "hostname" not in r
           and r["networks"] == {"p_default": ["a"]})
    expect("an empty list is no value", "dns" not in r)
    c["Config"]["Labels"] = {"com.docker.compose.depends_on": "web:service_started:false,db:service_healthy:true",
                             "com.docker.compose.project.config_files": "/w/c/compose-ref.yaml"}
    r = reduce_container(c)
    expect("dependencies in any order", r["labels"]["com.docker.compose.depends_on"]
           == "db:service_healthy:true,web:service_started:false")
    expect("the stripped copy is the file", r["labels"]["com.docker.compose.project.config_files"]
           == "/w/c/compose.yaml")
    d = json.loads(json.dumps(r))
    d["restart"]["Name"] = "always"
    expect("a changed restart policy differs", diff(d, r, "container:a") != [])
    table = [{"case": "k", "target": "sh", "path": "container:a.name", "line": 1, "used": 0},
             {"case": "k", "target": "*", "path": "container:a.labels", "line": 2, "used": 0}]
    f, n = judge({("k", "sh"): [("container:a.name", "x", "y"), ("container:a.tty", True, "<absent>")]}, table)
    expect("listed passes, unlisted fails, stale entry fails", n == 1 and len(f) == 2)
    table = [{"case": "*@podman", "target": "*", "path": "container:a.name", "line": 1, "used": 0}]
    f, n = judge({("k@podman", "sh"): [("container:a.name", "x", "y")], ("k", "sh"): [("container:a.name", "x", "y")]},
                 table)
    expect("a case pattern covers its engine's runs only", n == 1 and len(f) == 1 and f[0].startswith("k/sh"))
    c["Mounts"] = [{"Type": "volume", "Name": "f" * 64, "Destination": "/a", "RW": True},
                   {"Type": "volume", "Name": "p_data", "Destination": "/b", "RW": True}]
    r = reduce_container(c)
    expect("an anonymous volume is any other, a named one is itself",
           [m["name"] for m in r["mounts"]] == ["(anonymous)", "p_data"])
    return t.done()


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    if argv[1:2] == ["snapshot"] and len(argv) == 4:
        with open(argv[3], "w", encoding="utf-8") as f:
            json.dump(snapshot(argv[2]), f, indent=1, sort_keys=True)
        return 0
    if argv[1:2] == ["compare"] and len(argv) == 4:
        table, top = read_table(argv[2]), argv[3]
        diffs = {}
        for case in sorted(os.listdir(top)):
            with open(os.path.join(top, case, "compose.json"), encoding="utf-8") as f:
                ref = json.load(f)
            for name in sorted(os.listdir(os.path.join(top, case))):
                target = name[:-len(".json")]
                if not name.endswith(".json") or target == "compose":
                    continue
                with open(os.path.join(top, case, name), encoding="utf-8") as f:
                    got = json.load(f)
                ds = []
                for k in sorted(set(got) | set(ref)):
                    if k in got and k in ref:
                        ds.extend(diff(got[k], ref[k], k))
                    else:
                        ds.append((k, got.get(k, "<absent>"), ref.get(k, "<absent>")))
                diffs[(case, target)] = ds
                print(f"{case}/{target}: {len(ref)} objects of docker compose, {len(got)} made, "
                      f"{len(ds)} differences")
        fails, listed = judge(diffs, table)
        for f in fails:
            print(f"FAIL {f}")
        print(f"created-diff: {len(diffs)} runs, {sum(len(d) for d in diffs.values())} differences, "
              f"{listed} listed, {len(fails)} failures")
        return 1 if fails else 0
    print(__doc__.split("\n\n")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
