// chart.mjs - does a chart render what the plain manifests hold?  DIR is
// `composec k8s -o DIR` of a case, RENDERED what `helm template` renders
// of `composec k8s --format helm` of the same case.  Every object of each
// side must be on the other, equal field for field (parsed: Helm's quoting
// and comments aside).  Helm orders what it renders by kind (its install
// order), so objects pair by kind, namespace and name.
// usage: node chart.mjs DIR RENDERED; exit 1 on a difference.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";

const [dir, rendered] = process.argv.slice(2);
if (!dir || !rendered) {
  console.error("usage: node chart.mjs DIR RENDERED");
  process.exit(2);
}
const parse = (text) => YAML.parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
const plain = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .flatMap((f) => parse(readFileSync(join(dir, f), "utf8")));
const chart = parse(readFileSync(rendered, "utf8"));
const id = (o) => `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
const canon = (v) =>
  Array.isArray(v)
    ? v.map(canon)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]))
      : v;
const problems = [];
const byId = (objs) => {
  const m = new Map();
  for (const o of objs) {
    if (m.has(id(o))) problems.push(`${id(o)} twice`);
    m.set(id(o), JSON.stringify(canon(o)));
  }
  return m;
};
const a = byId(plain), b = byId(chart);
for (const [k, v] of a) {
  if (!b.has(k)) problems.push(`${k}: not rendered`);
  else if (b.get(k) !== v) problems.push(`${k} differs:\n  plain    ${v}\n  rendered ${b.get(k)}`);
}
for (const k of b.keys()) if (!a.has(k)) problems.push(`${k}: rendered, not in the plain output`);
for (const p of problems.slice(0, 10)) console.log(p);
console.log(`chart: ${chart.length} objects rendered, ${plain.length} plain, ${problems.length} differences`);
process.exit(problems.length ? 1 : 0);
