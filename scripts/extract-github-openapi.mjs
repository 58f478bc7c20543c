// Extracts the response schemas of the GitHub REST operations yardmaster uses from GitHub's
// official OpenAPI description (the `@octokit/openapi` package) into a small committed fixture,
// test/fixtures/github-openapi-subset.json, that the fake forge's responses are checked against.
// The package is NOT a dependency; fetch it into a temp dir outside the repo and point here:
//   cd "$(mktemp -d)" && npm pack @octokit/openapi && tar xzf octokit-openapi-*.tgz
//   node scripts/extract-github-openapi.mjs "$PWD/package/generated/api.github.com.json"
import { readFileSync, writeFileSync } from 'node:fs';

export const OPERATIONS = [
  'pulls/list',
  'pulls/create',
  'pulls/get',
  'pulls/update',
  'pulls/merge',
  'checks/list-for-ref',
  'repos/get-combined-status-for-ref',
  'repos/get-branch-protection',
  'repos/get-branch-rules',
  'git/delete-ref',
  'issues/create-comment',
];
// Only what a structural check needs; descriptions and examples are dropped.
const KEEP = new Set([
  'type',
  'required',
  'properties',
  'items',
  'nullable',
  'enum',
  'anyOf',
  'oneOf',
  'allOf',
  '$ref',
  'additionalProperties',
  'format',
]);

const [source, out = 'test/fixtures/github-openapi-subset.json'] = process.argv.slice(2);
if (!source)
  throw new Error('usage: node scripts/extract-github-openapi.mjs <api.github.com.json> [out]');
const spec = JSON.parse(readFileSync(source, 'utf8'));
const components = { schemas: {}, responses: {} };
const pending = [];

function strip(node) {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== 'object') return node;
  const res = {};
  for (const [k, v] of Object.entries(node)) {
    if (!KEEP.has(k)) continue;
    if (k === '$ref') pending.push(v);
    if (k === 'properties')
      res[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strip(s)]));
    else if (k === 'additionalProperties') res[k] = typeof v === 'object' ? strip(v) : v;
    else res[k] = strip(v);
  }
  return res;
}

function responseSchema(resp) {
  if (resp.$ref) {
    pending.push(resp.$ref);
    return { $ref: resp.$ref };
  }
  const json = resp.content?.['application/json']?.schema;
  return json ? { schema: strip(json) } : {};
}

const operations = {};
for (const [path, item] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(item)) {
    if (!op || !OPERATIONS.includes(op.operationId)) continue;
    const responses = {};
    for (const [status, resp] of Object.entries(op.responses))
      responses[status] = responseSchema(resp);
    operations[op.operationId] = { method: method.toUpperCase(), path, responses };
  }
}
// Pull in every component reachable from those responses.
while (pending.length) {
  const ref = pending.pop();
  const [, , kind, name] = ref.split('/');
  if (components[kind][name]) continue;
  const node = spec.components[kind][name];
  components[kind][name] = kind === 'responses' ? responseSchema(node) : strip(node);
}
const missing = OPERATIONS.filter((o) => !operations[o]);
if (missing.length) throw new Error(`not found in the description: ${missing.join(', ')}`);
const info = {
  title: spec.info.title,
  version: spec.info.version,
  source: '@octokit/openapi generated/api.github.com.json',
};
writeFileSync(out, `${JSON.stringify({ info, operations, components }, null, 1)}\n`);
console.log(
  `${Object.keys(operations).length} operations, ${Object.keys(components.schemas).length} schemas -> ${out}`,
);
