// validate.mjs - check Kubernetes manifests offline, the way TESTING.md
// ("Kubernetes manifests") describes:
//   1. every YAML (or JSON) document parses, without duplicate keys;
//   2. its apiVersion + kind has a model in kubernetes-models, and the
//      model's validate() accepts it (types, required fields, formats);
//   3. names follow the API server's rules that the schemas do not hold:
//      DNS-1123 object names (DNS-1035 for Services), label and annotation
//      keys and values, container, volume and port names, and a workload's
//      selector matching its pod template;
//   4. unknown fields: every document becomes a typed object literal
//      (`const d0: IDeployment = {...}`) and `tsc --noEmit --strict`
//      rejects any property the type does not declare.
//
// usage: node validate.mjs [--no-tsc] PATH...   (files, or directories
// searched for *.yaml, *.yml, *.json).  Prints one line per problem and a
// summary; exit status 1 when there is a problem, 2 on usage errors.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (/\.(ya?ml|json)$/.test(path)) {
    out.push(path);
  }
  return out;
}

// Every non-empty document of a file, as { where, obj }.
function documents(file) {
  const docs = [];
  const parsed = YAML.parseAllDocuments(readFileSync(file, "utf8"), { uniqueKeys: true });
  parsed.forEach((doc, i) => {
    const where = `${file}#${i}`;
    for (const e of [...doc.errors, ...doc.warnings]) problem(where, `YAML: ${e.message.split("\n")[0]}`);
    const obj = doc.toJS({ maxAliasCount: -1 });
    if (obj === null || obj === undefined) return;
    if (typeof obj !== "object" || Array.isArray(obj)) return problem(where, "not a mapping");
    docs.push({ where, obj });
  });
  return docs;
}

// --- 2. the schemas ------------------------------------------------------------------------
const models = new Map();
async function model(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    try {
      const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
      models.set(key, mod[kind] ?? null);
    } catch {
      models.set(key, null);
    }
  }
  return models.get(key);
}

async function schemaCheck({ where, obj }) {
  if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string")
    return problem(where, "no apiVersion or kind");
  const Model = await model(obj.apiVersion, obj.kind);
  if (!Model) return problem(where, `no model for ${obj.apiVersion} ${obj.kind}`);
  try {
    new Model(structuredClone(obj)).validate();
  } catch (e) {
    problem(where, `schema: ${String(e.message ?? e).split("\n").slice(0, 6).join(" | ")}`);
  }
}

// --- 3. names ------------------------------------------------------------------------------
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const isSubdomain = (s) =>
  s.length <= 253 && s.split(".").every((l) => l.length <= 63 && dns1123Label.test(l));
const isLabel = (s, re = dns1123Label) => s.length <= 63 && re.test(s);
const isQualifiedKey = (k) => {
  const slash = k.indexOf("/");
  const name = slash < 0 ? k : k.slice(slash + 1);
  if (slash >= 0 && !isSubdomain(k.slice(0, slash))) return false;
  return name.length > 0 && name.length <= 63 && labelValue.test(name);
};
const isPortName = (s) =>
  s.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes("--");

function podSpecOf(obj) {
  if (obj.kind === "Pod") return obj.spec;
  return obj.spec?.template?.spec ?? obj.spec?.jobTemplate?.spec?.template?.spec;
}

// templates: a StatefulSet's volumeClaimTemplates, volumes of its pods too
function checkPod(where, spec, templates = []) {
  const names = new Set();
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (!isLabel(c.name ?? "")) problem(where, `container name "${c.name}" is not a DNS-1123 label`);
    if (names.has(c.name)) problem(where, `container name "${c.name}" is used twice`);
    names.add(c.name);
    for (const p of c.ports ?? [])
      if (p.name !== undefined && !isPortName(p.name)) problem(where, `port name "${p.name}" is not an IANA service name`);
    const vols = new Set([...(spec.volumes ?? []), ...templates.map((t) => t.metadata ?? {})].map((v) => v.name));
    for (const m of c.volumeMounts ?? [])
      if (!vols.has(m.name)) problem(where, `container "${c.name}" mounts the undefined volume "${m.name}"`);
  }
  const vols = new Set();
  for (const v of spec.volumes ?? []) {
    if (!isLabel(v.name ?? "")) problem(where, `volume name "${v.name}" is not a DNS-1123 label`);
    if (vols.has(v.name)) problem(where, `volume name "${v.name}" is used twice`);
    vols.add(v.name);
  }
}

function checkMeta(where, meta, kind) {
  if (!meta) return;
  const ok = kind === "Service" || kind === "Namespace" ? isLabel(meta.name ?? "", kind === "Service" ? dns1035Label : dns1123Label) : isSubdomain(meta.name ?? "");
  if (!ok) problem(where, `${kind} name "${meta.name}" is not valid`);
  for (const [k, v] of Object.entries(meta.labels ?? {})) {
    if (!isQualifiedKey(k)) problem(where, `label key "${k}" is not valid`);
    if (typeof v !== "string" || v.length > 63 || !labelValue.test(v)) problem(where, `label value "${v}" is not valid`);
  }
  for (const k of Object.keys(meta.annotations ?? {}))
    if (!isQualifiedKey(k)) problem(where, `annotation key "${k}" is not valid`);
}

function nameCheck({ where, obj }) {
  checkMeta(where, obj.metadata, obj.kind);
  const tmpl = obj.spec?.template;
  if (tmpl) checkMeta(where, { name: "x", ...tmpl.metadata }, "template");
  const spec = podSpecOf(obj);
  if (spec) checkPod(where, spec, obj.kind === "StatefulSet" ? obj.spec.volumeClaimTemplates ?? [] : []);
  const match = obj.spec?.selector?.matchLabels;
  if (match && tmpl) {
    for (const [k, v] of Object.entries(match))
      if (tmpl.metadata?.labels?.[k] !== v) problem(where, `selector ${k}=${v} does not match the pod template`);
  }
}

// --- 4. unknown fields through TypeScript --------------------------------------------------
function tscCheck(docs) {
  if (!docs.length) return;
  const dir = mkdtempSync(join(here, ".tsc-"));
  try {
    const imports = new Map();
    const lines = [];
    const starts = [];
    docs.forEach(({ obj }, i) => {
      const key = `${obj.apiVersion}/${obj.kind}`;
      if (!imports.has(key)) imports.set(key, `I${imports.size}`);
    });
    for (const [key, alias] of imports) {
      const kind = key.slice(key.lastIndexOf("/") + 1);
      lines.push(`import type { I${kind} as ${alias} } from "kubernetes-models/${key}";`);
    }
    docs.forEach(({ where, obj }, i) => {
      starts.push({ line: lines.length + 1, where });
      const alias = imports.get(`${obj.apiVersion}/${obj.kind}`);
      lines.push(...`export const d${i}: ${alias} = ${JSON.stringify(obj, null, 1)};`.split("\n"));
    });
    writeFileSync(join(dir, "check.ts"), lines.join("\n") + "\n");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
          skipLibCheck: true, types: [],
        },
        files: ["check.ts"],
      }),
    );
    let out = "";
    try {
      execFileSync(process.execPath, [join(here, "node_modules/typescript/bin/tsc"), "-p", dir], { encoding: "utf8" });
    } catch (e) {
      out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
      if (!out) out = String(e.message);
    }
    for (const line of out.split("\n")) {
      const m = /^check\.ts\((\d+),\d+\): (.*)$/.exec(line.trim().replace(/^.*[\\/](check\.ts)/, "$1"));
      if (!m) {
        if (line.trim() && !/^\s/.test(line)) problem("tsc", line.trim());
        continue;
      }
      const n = Number(m[1]);
      let where = "tsc";
      for (const s of starts) if (s.line <= n) where = s.where;
      problem(where, `unknown field or wrong type: ${m[2]}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- main ----------------------------------------------------------------------------------
const args = process.argv.slice(2);
const noTsc = args[0] === "--no-tsc";
const paths = noTsc ? args.slice(1) : args;
if (!paths.length) {
  console.error("usage: node validate.mjs [--no-tsc] PATH...");
  process.exit(2);
}
const files = paths.flatMap((p) => collect(p, []));
const docs = files.flatMap(documents);
for (const d of docs) {
  await schemaCheck(d);
  nameCheck(d);
}
const before = problems.length;
if (!noTsc) tscCheck(docs);
for (const p of problems) console.log(p.startsWith(here) ? relative(here, p) : p);
const kinds = new Map();
for (const { obj } of docs) kinds.set(obj.kind, (kinds.get(obj.kind) ?? 0) + 1);
const byKind = [...kinds].sort().map(([k, n]) => `${n} ${k}`).join(", ");
console.log(
  `validate-k8s: ${docs.length} documents in ${files.length} files (${byKind || "none"}): ` +
    `${before} schema/name problems; tsc unknown-field check: ${noTsc ? "skipped" : `${problems.length - before} problems`}`,
);
process.exit(problems.length || !docs.length ? 1 : 0);
