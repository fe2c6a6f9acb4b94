// network.mjs - does the cluster reach and refuse what compose does?
// CONFIG is `composec config --format json` of a case, DIR composec's
// Kubernetes output for it.  The objects are read as a cluster would: pods
// carry their workload's template labels, Services select pods by their
// selector, and NetworkPolicies are applied by the rules of
// networking.k8s.io/v1 (a pod that no policy of a direction selects is not
// isolated in it; an isolated pod admits what any selecting policy's rule
// admits; a peer with only a podSelector is a pod of the policy's
// namespace).  Checked for every service of the case:
//   - it is reached by name: a Service named as the service (or the name
//     composec reports it under) selects its pods, and one per alias;
//   - for every other service and every port of it: the connection is
//     admitted exactly when compose admits it, that is when the two share
//     a network, or the port is published beyond the host and the client
//     has a way out (a network that is not internal);
//   - a pod of another project in the namespace, or of another namespace,
//     is refused on an unpublished port when the project has policies
//     (with one network and none internal the namespace is the network,
//     deliberately: no policy, DESIGN.md §6);
//   - it resolves names (DNS, port 53, to the cluster's resolver in
//     kube-system), and it reaches outside the cluster exactly when one
//     of its networks is not internal;
//   - it has no livenessProbe (docker never kills an unhealthy container);
//   - the project has a NetworkPolicy per network its services use when
//     there are several or an internal one, none otherwise.
// usage: node network.mjs CONFIG DIR; exit 1 on a difference.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const [configFile, dir] = process.argv.slice(2);
if (!configFile || !dir) {
  console.error("usage: node network.mjs CONFIG DIR");
  process.exit(2);
}
const config = JSON.parse(readFileSync(configFile, "utf8"));
const objects = readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
  .filter(Boolean);
const problems = [];
let checks = 0;
const check = (what, cond) => {
  checks++;
  if (!cond) problems.push(what);
};

const NS = "ns";
const matches = (sel, labels) =>
  sel && Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (sel.matchExpressions ?? []).length === 0;

// pods: one per workload, with its template's labels
const workloads = objects.filter((o) => ["Deployment", "Job", "DaemonSet", "StatefulSet"].includes(o.kind));
const policies = objects.filter((o) => o.kind === "NetworkPolicy");
const services = objects.filter((o) => o.kind === "Service");

// the name composec gives a compose service (a DNS-1035 label), or the
// hashed form when that one was taken
const label = (s) => {
  let n = s.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  if (!/^[a-z]/.test(s)) n = `x-${n}`.replace(/--+/g, "-");
  n = n.slice(0, 63).replace(/-+$/, "");
  return n || "x";
};
const workloadOf = (name) => {
  const n = label(name);
  return (
    workloads.find((w) => w.metadata.name === n) ??
    workloads.find((w) => w.metadata.name.startsWith(n.slice(0, 56)) && /-[0-9a-f]{6}$/.test(w.metadata.name))
  );
};

// a peer of a rule: in NS unless a namespaceSelector says otherwise
const peerMatches = (peer, pod) => {
  if (peer.ipBlock) return pod.external === true;
  if (pod.external) return false;
  if (peer.namespaceSelector) {
    if (!matches(peer.namespaceSelector, { "kubernetes.io/metadata.name": pod.ns })) return false;
  } else if (pod.ns !== NS) return false;
  return !peer.podSelector || matches(peer.podSelector, pod.labels);
};
const portMatches = (ports, port, proto) =>
  !ports || ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? "TCP") === proto);

// does `pod` (in NS) admit `from` on port/proto, and may `from` send it?
const admitted = (from, to, port, proto) => {
  const direction = (pod, type, rules, peerOf) => {
    if (pod.external || pod.ns !== NS) return true; // not ours: no policy of ours applies
    const selecting = policies.filter(
      (p) => matches(p.spec.podSelector, pod.labels) && (p.spec.policyTypes ?? ["Ingress"]).includes(type),
    );
    if (!selecting.length) return true;
    return selecting.some((p) =>
      (p.spec[rules] ?? []).some(
        (r) => (!r[peerOf] || r[peerOf].some((peer) => peerMatches(peer, type === "Ingress" ? from : to))) &&
          portMatches(r.ports, port, proto),
      ),
    );
  };
  return direction(to, "Ingress", "ingress", "from") && direction(from, "Egress", "egress", "to");
};

const composeServices = Object.entries(config.services ?? {}).filter(([, s]) => !s.network_mode);
const networksOf = (s) => Object.keys(s.networks ?? {});
const internal = (n) => config.networks?.[n]?.internal === true;
const hasPolicies = policies.some((p) => p.spec.podSelector?.matchLabels && !p.spec.podSelector.matchLabels["com.docker.compose.service"]);
const pods = new Map();
for (const [name, s] of composeServices) {
  const w = workloadOf(name);
  check(`service "${name}": no workload`, w);
  if (!w) continue;
  const labels = w.spec.template.metadata?.labels ?? {};
  pods.set(name, { ns: NS, labels, workload: w });
  // reached by name, and by each alias
  for (const n of [w.metadata.name, ...Object.values(s.networks ?? {}).flatMap((c) => c?.aliases ?? []).map(label)]) {
    const svc = services.find((o) => o.metadata.name === n);
    check(`service "${name}": no Service "${n}" selecting its pods`, svc && matches({ matchLabels: svc.spec.selector }, labels));
  }
  const containers = [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers];
  const liveness = Object.keys(s.labels ?? {}).some((k) => k.startsWith("kompose.service.healthcheck.liveness"));
  check(`service "${name}": a livenessProbe nobody asked for`, liveness || !containers.some((c) => c.livenessProbe));
}

const published = (s, port, proto) =>
  (s.ports ?? []).some(
    (p) => p.published && p.target === port && (p.protocol ?? "tcp").toUpperCase() === proto &&
      !/^(127\.|::1$|localhost$)/.test(p.host_ip ?? ""),
  );
let admits = 0;
let refusals = 0;
for (const [sname, s] of composeServices) {
  const to = pods.get(sname);
  if (!to) continue;
  const c = to.workload.spec.template.spec.containers[0];
  const ports = (c.ports ?? []).map((p) => [p.containerPort, p.protocol ?? "TCP"]);
  if (!ports.length) ports.push([80, "TCP"]); // compose admits any port; one stands for all
  for (const [port, proto] of ports) {
    const open = published(s, port, proto);
    for (const [cname, cs] of composeServices) {
      const from = pods.get(cname);
      if (!from || cname === sname) continue;
      // a published port is reached through the host: from a client with a way out
      const want = (open && networksOf(cs).some((n) => !internal(n))) || networksOf(cs).some((n) => networksOf(s).includes(n));
      const got = admitted(from, to, port, proto);
      want ? admits++ : refusals++;
      check(`${cname} -> ${sname}:${port}/${proto}: compose ${want ? "admits" : "refuses"}, the policies ${got ? "admit" : "refuse"}`, want === got);
    }
    if (hasPolicies) {
      const strangers = [
        { what: "a pod of another project", ns: NS, labels: { ...from_labels(to.labels), "com.docker.compose.project": "another-project" } },
        { what: "a pod of another namespace", ns: "elsewhere", labels: to.labels },
      ];
      // an external network is shared with other projects, in compose too
      const shared = open || networksOf(s).some((n) => config.networks?.[n]?.external);
      for (const st of strangers) {
        const want = st.ns === NS ? shared : open;
        const got = admitted(st, to, port, proto);
        check(`${st.what} -> ${sname}:${port}/${proto}: compose ${want ? "admits" : "refuses"}, the policies ${got ? "admit" : "refuse"}`, got === want);
      }
    }
  }
}
// the labels a pod of another project would carry on networks of the same names
function from_labels(labels) {
  return Object.fromEntries(Object.entries(labels).filter(([k]) => k.startsWith("composec.network/")));
}

// a policy per network its services use, when there are several or an
// internal one (DESIGN.md §6); none for one plain network
{
  const used = new Set(composeServices.flatMap(([, s]) => networksOf(s)));
  const want = used.size > 1 || [...used].some(internal) ? used.size : 0;
  const got = policies.filter((p) => !p.spec.podSelector?.matchLabels?.["com.docker.compose.service"]).length;
  check(`${used.size} networks (${[...used].filter(internal).length} internal): ${got} network policies, not ${want}`, got === want);
}

const dns = { ns: "kube-system", labels: { "k8s-app": "kube-dns" } };
const outside = { external: true, labels: {} };
for (const [name, s] of composeServices) {
  const from = pods.get(name);
  if (!from) continue;
  check(`${name}: cannot resolve names`, admitted(from, dns, 53, "UDP") && admitted(from, dns, 53, "TCP"));
  const want = networksOf(s).some((n) => !internal(n));
  const got = admitted(from, outside, 443, "TCP");
  check(`${name} -> outside: compose ${want ? "admits" : "refuses"}, the policies ${got ? "admit" : "refuse"}`, want === got);
}

for (const p of problems) console.log(p);
console.log(
  `network: ${pods.size} services, ${policies.length} NetworkPolicies, ${admits} connections admitted and ` +
    `${refusals} refused as compose does, ${checks} checks, ${problems.length} differences`,
);
process.exit(problems.length ? 1 : 0);
