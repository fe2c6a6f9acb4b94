// kompose.mjs - does composec's output carry at least what kompose's does?
// KOMPOSE_YAML is what kompose v1.38 emits for a golden case (written from
// its conversion rules, reference/kompose_k8s.md §1, with
// --with-kompose-annotation=false); DIR is composec's output for the case.
// Every kompose object must have a counterpart that carries the same
// facts, where the documented mappings differ:
//   - a Pod (restart "no" / on-failure) is composec's Job of that name;
//   - an env_file ConfigMap read through envFrom is composec's env values;
//   - a CMD-SHELL probe written as one argv word is ["/bin/sh", "-c", it];
//   - kompose's livenessProbe from a healthcheck is composec's readinessProbe
//     (docker only marks a failing container unhealthy; a liveness probe
//     would have the kubelet kill it);
//   - a livenessProbe kompose's labels ask for (HTTP GET, TCP) is
//     composec's livenessProbe;
//   - quantities compare by value (268435456 = 256Mi);
//   - kompose's Service port for a published port is one of composec's,
//     and its type, node port and traffic policy are the Service's;
//   - an Ingress rule's backend port is compared by the container port
//     it reaches (each side's Service says which);
//   - claims, and a StatefulSet's claim templates, by size, storage class
//     and access modes.
// usage: node kompose.mjs KOMPOSE_YAML DIR; exit 1 when something is missing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const [komposeFile, dir] = process.argv.slice(2);
const kompose = YAML.parseAllDocuments(readFileSync(komposeFile, "utf8")).map((d) => d.toJS()).filter(Boolean);
const ours = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .flatMap((f) => YAML.parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS()))
  .filter(Boolean);
const missing = [];
let facts = 0;
const check = (what, cond) => {
  facts++;
  if (!cond) missing.push(what);
};
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const units = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9, m: 1e-3 };
const quantity = (q) => {
  const m = /^([0-9.e+]+)([A-Za-z]*)$/.exec(String(q));
  return m ? Number(m[1]) * (units[m[2]] ?? NaN) : NaN;
};
const find = (kind, name) => ours.find((o) => o.kind === kind && o.metadata?.name === name);
const configMaps = new Map(kompose.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o.data ?? {}]));
const envFromMaps = new Set();

function envOf(c) {
  const env = new Map((c.env ?? []).map((e) => [e.name, e.value]));
  for (const ref of c.envFrom ?? []) {
    const name = ref.configMapRef?.name;
    envFromMaps.add(name);
    for (const [k, v] of Object.entries(configMaps.get(name) ?? {})) if (!env.has(k)) env.set(k, v);
  }
  return env;
}

function probeCommand(p) {
  const cmd = p?.exec?.command ?? [];
  return cmd.length === 1 && /\s/.test(cmd[0]) ? ["/bin/sh", "-c", cmd[0]] : cmd;
}

function compareContainer(where, k, o) {
  check(`${where}: image ${k.image}`, o.image === k.image);
  for (const f of ["command", "args", "workingDir"]) if (k[f] !== undefined) check(`${where}: ${f}`, eq(k[f], o[f]));
  const oenv = envOf(o);
  for (const [name, value] of envOf(k)) check(`${where}: env ${name}=${value}`, oenv.get(name) === value);
  const oports = new Set((o.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? "TCP"}/${p.hostPort ?? ""}`));
  for (const p of k.ports ?? [])
    check(`${where}: containerPort ${p.containerPort}${p.hostPort ? ` hostPort ${p.hostPort}` : ""}`,
      oports.has(`${p.containerPort}/${p.protocol ?? "TCP"}/${p.hostPort ?? ""}`));
  if (k.imagePullPolicy) check(`${where}: imagePullPolicy ${k.imagePullPolicy}`, o.imagePullPolicy === k.imagePullPolicy);
  const paths = new Set((o.volumeMounts ?? []).map((m) => m.mountPath));
  for (const m of k.volumeMounts ?? []) check(`${where}: volume mounted at ${m.mountPath}`, paths.has(m.mountPath));
  for (const kind of ["limits", "requests"])
    for (const [res, q] of Object.entries(k.resources?.[kind] ?? {}))
      check(`${where}: resources.${kind}.${res}`, quantity(o.resources?.[kind]?.[res]) === quantity(q));
  const ks = k.securityContext ?? {};
  for (const [f, v] of Object.entries(ks)) check(`${where}: securityContext.${f}`, eq(o.securityContext?.[f], v));
  if (k.livenessProbe?.httpGet || k.livenessProbe?.tcpSocket) {
    const lp = o.livenessProbe;
    check(`${where}: livenessProbe ${JSON.stringify(k.livenessProbe)}`,
      !!lp && eq(lp.httpGet, k.livenessProbe.httpGet) && eq(lp.tcpSocket, k.livenessProbe.tcpSocket));
  } else if (k.livenessProbe) {
    const rp = o.readinessProbe;
    check(`${where}: livenessProbe as readinessProbe`, !!rp && eq(probeCommand(k.livenessProbe), rp.exec?.command));
    for (const f of ["periodSeconds", "timeoutSeconds", "failureThreshold"])
      if (k.livenessProbe[f] !== undefined) check(`${where}: livenessProbe.${f} as readinessProbe's`, rp?.[f] === k.livenessProbe[f]);
  }
}

function compareWorkload(k, o) {
  const where = `${k.kind} ${k.metadata.name}`;
  const kspec = k.kind === "Pod" ? k.spec : k.spec.template.spec;
  const ospec = o.spec.template.spec;
  if (k.spec.replicas !== undefined) check(`${where}: replicas ${k.spec.replicas}`, o.spec.replicas === k.spec.replicas);
  if (k.kind === "Pod") check(`${where}: restartPolicy`, ospec.restartPolicy === kspec.restartPolicy);
  for (const f of ["serviceAccountName", "imagePullSecrets", "securityContext"])
    if (kspec[f] !== undefined) check(`${where}: ${f}`, eq(ospec[f], kspec[f]));
  if (k.kind === "StatefulSet") {
    check(`${where}: serviceName ${k.spec.serviceName}`, o.spec.serviceName === k.spec.serviceName);
    for (const t of k.spec.volumeClaimTemplates ?? []) {
      const ot = (o.spec.volumeClaimTemplates ?? []).find((x) => x.metadata?.name === t.metadata.name);
      check(`${where}: claim template ${t.metadata.name}`, !!ot);
      if (ot) compareClaim(`${where}: claim template ${t.metadata.name}`, t.spec, ot.spec);
    }
  }
  if (kspec.terminationGracePeriodSeconds !== undefined)
    check(`${where}: terminationGracePeriodSeconds`, ospec.terminationGracePeriodSeconds === kspec.terminationGracePeriodSeconds);
  const kann = (k.kind === "Pod" ? k.metadata : k.metadata)?.annotations ?? {};
  for (const [a, v] of Object.entries(kann)) check(`${where}: annotation ${a}`, o.metadata?.annotations?.[a] === v);
  compareContainer(`${where} container`, kspec.containers[0], ospec.containers[0]);
  for (const v of kspec.volumes ?? []) {
    if (v.persistentVolumeClaim)
      check(`${where}: claim ${v.persistentVolumeClaim.claimName}`,
        (ospec.volumes ?? []).some((x) => x.persistentVolumeClaim?.claimName === v.persistentVolumeClaim.claimName));
    if (v.emptyDir) check(`${where}: emptyDir ${JSON.stringify(v.emptyDir)}`, (ospec.volumes ?? []).some((x) => x.emptyDir && (x.emptyDir.medium ?? "") === (v.emptyDir.medium ?? "")));
  }
}

function compareClaim(where, k, o) {
  check(`${where}: storage ${k.resources.requests.storage}`,
    quantity(o.resources?.requests?.storage) === quantity(k.resources.requests.storage));
  check(`${where}: accessModes`, eq(o.accessModes, k.accessModes));
  if (k.storageClassName) check(`${where}: storageClassName ${k.storageClassName}`, o.storageClassName === k.storageClassName);
}

// the container port a Service port reaches, on either side
const targetOf = (objs, service, port) =>
  objs.find((x) => x.kind === "Service" && x.metadata?.name === service)?.spec.ports?.find((p) => p.port === port)?.targetPort;

function compareService(name, k, o) {
  check(`Service ${name}: type ${k.spec.type ?? "ClusterIP"}`, (o.spec.type ?? "ClusterIP") === (k.spec.type ?? "ClusterIP"));
  if (k.spec.clusterIP) check(`Service ${name}: clusterIP ${k.spec.clusterIP}`, o.spec.clusterIP === k.spec.clusterIP);
  if (k.spec.externalTrafficPolicy)
    check(`Service ${name}: externalTrafficPolicy`, o.spec.externalTrafficPolicy === k.spec.externalTrafficPolicy);
  for (const p of k.spec.ports ?? [])
    check(`Service ${name}: port ${p.port} -> ${p.targetPort}${p.nodePort ? ` nodePort ${p.nodePort}` : ""}`,
      (o.spec.ports ?? []).some((q) => q.port === p.port && q.targetPort === p.targetPort &&
        (q.protocol ?? "TCP") === (p.protocol ?? "TCP") && q.nodePort === p.nodePort));
}

function compareIngress(name, k, o) {
  if (k.spec.ingressClassName) check(`Ingress ${name}: class`, o.spec.ingressClassName === k.spec.ingressClassName);
  for (const t of k.spec.tls ?? [])
    check(`Ingress ${name}: tls ${t.secretName}`,
      (o.spec.tls ?? []).some((x) => x.secretName === t.secretName && eq([...(x.hosts ?? [])].sort(), [...(t.hosts ?? [])].sort())));
  const paths = (spec, objs) =>
    (spec.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) =>
      `${r.host ?? "*"}${p.path} ${p.pathType} ${p.backend.service.name}:` +
      targetOf(objs, p.backend.service.name, p.backend.service.port.number)));
  const ours = new Set(paths(o.spec, oursObjs));
  for (const p of paths(k.spec, kompose)) check(`Ingress ${name}: ${p}`, ours.has(p));
}

const oursObjs = ours;
const counterpart = { Pod: "Job" };
for (const k of kompose) {
  const name = k.metadata?.name;
  if (k.metadata?.namespace) {
    const o = find(counterpart[k.kind] ?? k.kind, name);
    check(`${k.kind} ${name}: namespace ${k.metadata.namespace}`, o?.metadata?.namespace === k.metadata.namespace);
  }
  if (k.kind === "ConfigMap") continue; // checked through envFrom below
  const o = find(counterpart[k.kind] ?? k.kind, name);
  check(`${k.kind} ${name}: present (as ${counterpart[k.kind] ?? k.kind})`, !!o);
  if (!o) continue;
  if (["Deployment", "DaemonSet", "StatefulSet", "Pod"].includes(k.kind)) compareWorkload(k, o);
  if (k.kind === "Service") compareService(name, k, o);
  if (k.kind === "Ingress") compareIngress(name, k, o);
  if (k.kind === "PersistentVolumeClaim") compareClaim(`PersistentVolumeClaim ${name}`, k.spec, o.spec);
  if (k.kind === "Secret")
    for (const [key, v] of Object.entries(k.data ?? {})) check(`Secret ${name}: data ${key}`, o.data?.[key] === v);
}
for (const name of configMaps.keys())
  if (!envFromMaps.has(name)) check(`ConfigMap ${name}: present`, !!find("ConfigMap", name));
for (const m of missing) console.log(`missing: ${m}`);
const extra = ours.filter((o) => !kompose.some((k) => (counterpart[k.kind] ?? k.kind) === o.kind && k.metadata?.name === o.metadata?.name));
console.log(
  `kompose: ${kompose.length} kompose objects, ${facts} facts compared, ${missing.length} missing; ` +
    `composec adds ${extra.length} objects (${extra.map((o) => `${o.kind} ${o.metadata.name}`).join(", ") || "none"})`,
);
process.exit(missing.length ? 1 : 0);
