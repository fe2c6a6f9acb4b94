// hostile.mjs - hostile strings reach the container byte for byte
// (TESTING.md "Hostile strings").  For every service of `composec config
// --format json`, the workload composec wrote for it is read back as the
// kubelet does: YAML parsed, then $(VAR) references in command, args and
// env values expanded against the container's environment (the
// kubelet's expansion.Expand: $$ -> $, $(NAME) -> the value when NAME is
// defined, anything else kept).  The result must equal what compose gives
// the engine: entrypoint, command, working_dir, environment, the pre_start
// steps' commands and environments, and the healthcheck as /bin/sh -c.
// usage: node hostile.mjs K8S_DIR CONFIG_JSON; exit 1 on a difference.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import YAML from "yaml";

const [dir, configFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile, "utf8"));
const unesc = (v) => (typeof v === "string" ? v.replaceAll("$$", "$") : v);
let checks = 0;
const problems = [];

function expand(input, vars) {
  let out = "";
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== "$" || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === "$") {
      out += "$";
      i += 1;
    } else if (next === "(") {
      const close = input.indexOf(")", i + 2);
      if (close < 0) {
        out += "$(";
        i += 1;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += vars.has(name) ? vars.get(name) : `$(${name})`;
      i = close;
    } else {
      out += "$" + next;
      i += 1;
    }
  }
  return out;
}

// The container's env, expanded in order as the kubelet does.
function envOf(c) {
  const vars = new Map();
  for (const e of c.env ?? []) vars.set(e.name, expand(e.value ?? "", vars));
  return vars;
}

function same(what, want, got) {
  checks++;
  if (!isDeepStrictEqual(want, got))
    problems.push(`${what}:\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
}

const workloads = new Map();
for (const f of readdirSync(dir).filter((f) => /^([0-9]+-)?(deployment|job|daemonset)-.*\.yaml$/.test(f))) {
  const o = YAML.parse(readFileSync(join(dir, f), "utf8"));
  workloads.set(o.metadata.labels["com.docker.compose.service"], o);
}
const k8sName = (n) =>
  n.toLowerCase().replace(/[^a-z0-9]/g, "-").replace(/-+/g, "-").replace(/^-|-$/g, "").replace(/^(?=[^a-z])/, "x-");

for (const [name, svc] of Object.entries(config.services ?? {})) {
  const w = workloads.get(k8sName(name));
  if (!w) {
    problems.push(`service ${name}: no workload`);
    continue;
  }
  const spec = w.spec.template.spec;
  const main = spec.containers[0];
  const vars = envOf(main);
  const wantEnv = Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, unesc(v)]));
  same(`${name}: environment`, wantEnv, Object.fromEntries(vars));
  if (svc.entrypoint) same(`${name}: entrypoint`, svc.entrypoint.map(unesc), (main.command ?? []).map((a) => expand(a, vars)));
  if (svc.command) same(`${name}: command`, svc.command.map(unesc), (main.args ?? []).map((a) => expand(a, vars)));
  if (svc.working_dir) same(`${name}: working_dir`, unesc(svc.working_dir), main.workingDir);
  const test = svc.healthcheck?.test;
  if (test?.[0] === "CMD-SHELL")
    same(`${name}: healthcheck`, ["/bin/sh", "-c", unesc(test[1])], main.readinessProbe?.exec?.command);
  (svc.pre_start ?? []).forEach((step, i) => {
    const c = (spec.initContainers ?? []).find((x) => x.name === `pre-start-${i + 1}`);
    if (!c) return problems.push(`${name}: no init container pre-start-${i + 1}`);
    const stepVars = envOf(c);
    const want = { ...wantEnv, ...Object.fromEntries(Object.entries(step.environment ?? {}).map(([k, v]) => [k, unesc(v)])) };
    same(`${name}: pre_start ${i + 1} environment`, want, Object.fromEntries(stepVars));
    if (step.command) same(`${name}: pre_start ${i + 1} command`, step.command.map(unesc), (c.args ?? []).map((a) => expand(a, stepVars)));
    same(`${name}: pre_start ${i + 1} image`, unesc(step.image), c.image);
  });
}
for (const p of problems) console.log(p);
console.log(`hostile: ${checks} comparisons, ${problems.length} differences`);
process.exit(problems.length || !checks ? 1 : 0);
