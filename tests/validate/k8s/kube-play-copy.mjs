// kube-play-copy.mjs - composec's Kubernetes manifests as a stream for
// `podman kube play` (TESTING.md, "Kubernetes manifests"), in the order
// composec names them (dependency order: kube play runs a stream in order),
// changing only what the engine forces, never the order, the commands,
// environment, volumes or init containers under test:
//   - images map to local ones (no registry here): IMAGE_MAP is
//     "from=to,..." with "*" for every image not listed; imagePullPolicy
//     Never;
//   - with --podman43, for Debian 12's podman 4.3: each Deployment,
//     DaemonSet or Job becomes a Pod with the workload's name and pod
//     template (4.3 names a Deployment's pod "<name>-pod-0", and its DNS
//     answers pod names, not Services: "db" must resolve as the Service
//     would), with restartPolicy Never (with Always, 4.3 restarts the first
//     init container forever: containers/podman#16343); kinds 4.3 refuses
//     (Service, ...) are left out.  podman 5.8 plays the documents as they
//     are.
// usage: node kube-play-copy.mjs [--podman43] DIR IMAGE_MAP > play.yaml
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const args = process.argv.slice(2);
const podman43 = args[0] === "--podman43";
if (podman43) args.shift();
const [dir, mapArg] = args;
if (!dir || !mapArg) {
  console.error("usage: node kube-play-copy.mjs [--podman43] DIR IMAGE_MAP");
  process.exit(2);
}
const imageMap = new Map(mapArg.split(",").map((kv) => kv.split("=")));
const mapImage = (img) => imageMap.get(img) ?? imageMap.get("*") ?? img;

const objects = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
  .filter(Boolean);

const out = [];
for (const o of objects) {
  if (["Deployment", "DaemonSet", "Job"].includes(o.kind)) {
    const spec = o.spec.template.spec;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      c.image = mapImage(c.image);
      c.imagePullPolicy = "Never";
    }
    if (!podman43) {
      out.push(o);
      continue;
    }
    spec.restartPolicy = "Never";
    out.push({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: o.metadata.name, labels: o.spec.template.metadata?.labels },
      spec,
    });
  } else if (!podman43 || o.kind === "PersistentVolumeClaim") {
    out.push(o);
  }
}
process.stdout.write(out.map((o) => YAML.stringify(o)).join("---\n"));
