// validate.mjs FILE... - check SARIF logs offline: the OASIS SARIF 2.1.0
// JSON schema (draft-04, as @microsoft/jest-sarif ships it) through Ajv,
// then what GitHub code scanning relies on beyond the schema: every rule
// declared with its descriptions and help, security-severity a number
// from 0.1 to 10 on rules tagged "security", every result's ruleId and
// ruleIndex pointing at a declared rule, one location with a relative URI
// and a line, and a partial fingerprint that is unique in the run.
// Prints one line per problem and a summary; exit 0 when all are valid.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const schemaPath = join(here, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// The schema's "language" pattern has a stray ']' that only non-unicode
// regular expressions accept.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function conventions(log, problem) {
  if (log.version !== '2.1.0') problem(`version is ${JSON.stringify(log.version)}, not "2.1.0"`);
  if (!Array.isArray(log.runs) || log.runs.length < 1 || log.runs.length > 20) problem('runs: 1 to 20 expected');
  for (const [r, run] of (log.runs || []).entries()) {
    const driver = run.tool?.driver || {};
    const rules = driver.rules || [];
    if (!driver.name) problem(`runs[${r}]: tool.driver.name missing`);
    if (!Array.isArray(run.results)) problem(`runs[${r}]: results missing (an empty list when clean)`);
    const ids = new Map();
    rules.forEach((rule, i) => {
      const at = `runs[${r}].rules[${i}] ${rule.id}`;
      if (ids.has(rule.id)) problem(`${at}: duplicate id`);
      ids.set(rule.id, i);
      for (const k of ['shortDescription', 'fullDescription', 'help'])
        if (!rule[k]?.text) problem(`${at}: ${k}.text missing`);
      const tags = rule.properties?.tags || [];
      if (tags.length > 20) problem(`${at}: more than 20 tags`);
      const sev = rule.properties?.['security-severity'];
      if (sev !== undefined) {
        const n = Number(sev);
        if (typeof sev !== 'string' || !(n >= 0.1 && n <= 10)) problem(`${at}: security-severity ${sev} not a string 0.1-10`);
        if (!tags.includes('security')) problem(`${at}: security-severity without the "security" tag`);
      }
    });
    const prints = new Set();
    (run.results || []).forEach((res, i) => {
      const at = `runs[${r}].results[${i}] ${res.ruleId}`;
      if (!ids.has(res.ruleId)) problem(`${at}: ruleId not declared in tool.driver.rules`);
      else if (res.ruleIndex !== undefined && res.ruleIndex !== ids.get(res.ruleId)) problem(`${at}: ruleIndex ${res.ruleIndex} is not that rule's`);
      if (!res.message?.text) problem(`${at}: message.text missing`);
      const loc = res.locations?.[0]?.physicalLocation;
      const uri = loc?.artifactLocation?.uri;
      if (!uri) problem(`${at}: locations[0] has no artifactLocation.uri`);
      else if (uri.startsWith('/')) problem(`${at}: uri ${uri} is an absolute path, not a URI`);
      if (loc?.region && !(loc.region.startLine >= 1)) problem(`${at}: region without startLine`);
      const fp = Object.values(res.partialFingerprints || {});
      if (fp.length === 0) problem(`${at}: no partialFingerprints`);
      for (const v of fp) {
        if (prints.has(v)) problem(`${at}: fingerprint ${v} repeated`);
        prints.add(v);
      }
    });
  }
}

let bad = 0;
const files = process.argv.slice(2);
for (const file of files) {
  let log;
  let ok = true;
  const problem = (msg) => { ok = false; console.error(`${file}: ${msg}`); };
  try {
    log = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problem(e.message);
    bad++;
    continue;
  }
  if (!validate(log))
    for (const e of validate.errors) problem(`schema: ${e.instancePath || '/'} ${e.message}`);
  conventions(log, problem);
  if (!ok) bad++;
}
console.log(`sarif: ${files.length - bad} valid, ${bad} invalid`);
process.exit(bad ? 1 : 0);
