// A small structural validator for the fake forge's GitHub responses against GitHub's own
// OpenAPI description (the committed subset in test/fixtures/github-openapi-subset.json):
// required properties, types, nullability, enums, arrays, allOf/anyOf/oneOf, recursively.
// It keeps the fake from drifting into answers GitHub never sends.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../cli.js';

export interface Schema {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  schema?: Schema;
}

export interface OpenApiSubset {
  info: Record<string, string>;
  operations: Record<string, { method: string; path: string; responses: Record<string, Schema> }>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
}

export interface Violation {
  path: string;
  message: string;
}

let cached: OpenApiSubset | undefined;
export function githubOpenApi(): OpenApiSubset {
  cached ??= JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'test/fixtures/github-openapi-subset.json'), 'utf8'),
  ) as OpenApiSubset;
  return cached;
}

function resolve(schema: Schema, spec: OpenApiSubset): Schema {
  let s = schema;
  for (let depth = 0; s.$ref && depth < 20; depth++) {
    const [, , kind, name] = s.$ref.split('/');
    const next =
      kind === 'schemas'
        ? spec.components.schemas[name!]
        : kind === 'responses'
          ? spec.components.responses[name!]
          : undefined;
    if (!next) throw new Error(`unresolvable $ref ${s.$ref}`);
    s = next;
  }
  return s;
}

/** Every way `value` does not fit `schema` (empty when it fits). */
export function validate(
  schema: Schema,
  value: unknown,
  spec: OpenApiSubset = githubOpenApi(),
  at = '$',
): Violation[] {
  const s = resolve(schema, spec);
  if (value === null) {
    const nullable =
      s.nullable === true || (s.allOf ?? []).some((a) => resolve(a, spec).nullable === true);
    const unconstrained = !s.type && !s.properties && !s.allOf && !s.anyOf && !s.oneOf && !s.enum;
    return nullable || unconstrained ? [] : [{ path: at, message: 'is null but not nullable' }];
  }
  const out: Violation[] = [];
  for (const part of s.allOf ?? []) out.push(...validate(part, value, spec, at));
  for (const [kind, alternatives] of [
    ['anyOf', s.anyOf],
    ['oneOf', s.oneOf],
  ] as const) {
    if (alternatives && !alternatives.some((alt) => validate(alt, value, spec, at).length === 0)) {
      out.push({
        path: at,
        message: `matches none of the ${alternatives.length} ${kind} alternatives`,
      });
    }
  }
  if (s.enum && !s.enum.includes(value))
    out.push({
      path: at,
      message: `${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`,
    });
  const type = s.type ?? (s.properties || s.required ? 'object' : undefined);
  if (!type) return out;
  if (!hasType(type, value))
    return [
      ...out,
      {
        path: at,
        message: `expected ${type}, got ${Array.isArray(value) ? 'array' : typeof value}`,
      },
    ];
  if (type === 'array' && s.items)
    (value as unknown[]).forEach((v, i) => out.push(...validate(s.items!, v, spec, `${at}[${i}]`)));
  if (type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? [])
      if (!Object.hasOwn(obj, key))
        out.push({ path: `${at}.${key}`, message: 'is required but missing' });
    for (const [key, v] of Object.entries(obj)) {
      const prop = s.properties?.[key];
      if (prop) out.push(...validate(prop, v, spec, `${at}.${key}`));
      else if (typeof s.additionalProperties === 'object')
        out.push(...validate(s.additionalProperties, v, spec, `${at}.${key}`));
    }
  }
  return out;
}

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

/**
 * Checks one response of an operation. A status the description documents is checked against
 * its schema; an undocumented error status (401, a rate-limit 403/429) against `basic-error`.
 */
export function checkResponse(
  operationId: string,
  status: number,
  body: unknown,
  spec: OpenApiSubset = githubOpenApi(),
): Violation[] {
  const op = spec.operations[operationId];
  if (!op) return [{ path: '$', message: `operation ${operationId} is not in the fixture` }];
  const documented = op.responses[String(status)];
  if (!documented) {
    if (status < 400)
      return [{ path: '$', message: `status ${status} is not documented for ${operationId}` }];
    return validate({ $ref: '#/components/schemas/basic-error' }, body, spec);
  }
  const response = resolve(documented, spec);
  // Documented without a schema (e.g. git/delete-ref's 422): nothing to check the body against.
  if (!response.schema) return [];
  return validate(response.schema, body, spec);
}
