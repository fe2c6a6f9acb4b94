// kube-play-copy.mjs - turn composec's Kubernetes manifests into a file
// that Debian's podman 4.3 `kube play` runs (TESTING.md, "Kubernetes
// manifests"), changing only what that harness needs, never the commands,
// environment, volumes or init containers under test:
//   - each Deployment, DaemonSet or Job becomes a Pod with the workload's
//     name and pod template (podman names a Deployment's pod "<name>-pod-0",
//     and its DNS answers pod names: "db" must resolve as the Service would);
//   - restartPolicy Never (with Always, podman 4.3 restarts the first init
//     container forever: containers/podman#16343), imagePullPolicy Never;
//   - images map to local ones: IMAGE_MAP is "from=to,..." with "*" for
//     every image not listed;
//   - PersistentVolumeClaims (podman volumes) are renamed PREFIX-<name>, so
//     that the test cannot touch another volume;
//   - pods are ordered so that a pod comes after those its wait-for-*
//     init containers wait for (kube play starts them in order, running
//     init containers to completion);
//   - kinds podman ignores (Service, ...) are dropped.
// usage: node kube-play-copy.mjs DIR IMAGE_MAP PREFIX > play.yaml
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const [dir, mapArg, prefix] = process.argv.slice(2);
if (!dir || !mapArg || !prefix) {
  console.error("usage: node kube-play-copy.mjs DIR IMAGE_MAP PREFIX");
  process.exit(2);
}
const imageMap = new Map(mapArg.split(",").map((kv) => kv.split("=")));
const mapImage = (img) => imageMap.get(img) ?? imageMap.get("*") ?? img;

const objects = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
  .filter(Boolean);

const claims = [];
const pods = [];
for (const o of objects) {
  if (o.kind === "PersistentVolumeClaim") {
    o.metadata.name = `${prefix}-${o.metadata.name}`;
    claims.push(o);
  } else if (["Deployment", "DaemonSet", "Job"].includes(o.kind)) {
    const spec = o.spec.template.spec;
    spec.restartPolicy = "Never";
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      c.image = mapImage(c.image);
      c.imagePullPolicy = "Never";
    }
    for (const v of spec.volumes ?? [])
      if (v.persistentVolumeClaim) v.persistentVolumeClaim.claimName = `${prefix}-${v.persistentVolumeClaim.claimName}`;
    pods.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: o.metadata.name, labels: o.spec.template.metadata?.labels },
      spec,
    });
  }
}

// Dependencies first: a pod waits (wait-for-<name>) for the pods it names.
const waitsFor = (p) =>
  (p.spec.initContainers ?? []).filter((c) => c.name.startsWith("wait-for-")).map((c) => c.name.slice(9));
const ordered = [];
const placed = new Set();
while (ordered.length < pods.length) {
  const next = pods.find((p) => !placed.has(p.metadata.name) && waitsFor(p).every((d) => placed.has(d) || !pods.some((q) => q.metadata.name === d)));
  if (!next) throw new Error("kube-play-copy: the pods wait for each other in a cycle");
  placed.add(next.metadata.name);
  ordered.push(next);
}
process.stdout.write([...claims, ...ordered].map((o) => YAML.stringify(o)).join("---\n"));
