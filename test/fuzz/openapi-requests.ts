import fc from 'fast-check';
import type { OpenAPIObject } from '@nestjs/swagger';

/*
 * Requests to every operation of the OpenAPI document the service publishes: valid ones, generated
 * from the documented schemas (with the ids of things that exist, so that they get past a 404),
 * and the same made hostile in one place — a field, a query parameter, a path segment, a header,
 * the body as a whole.
 */

export interface Schema {
  type?: string;
  format?: string;
  enum?: readonly unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  nullable?: boolean;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
}

interface Parameter {
  name: string;
  in: 'query' | 'path' | 'header';
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  /** As in the document: `/v1/parcours/{parcoursId}`. */
  template: string;
  parameters: Parameter[];
  body?: Schema;
}

/** What exists in the service, for valid requests to reach. */
export interface World {
  partnerIds: string[];
  /** Organisations a request may deactivate without taking the fuzzing callers' access away. */
  spareOrganisationIds: string[];
  parcoursIds: string[];
  engagementContractIds: string[];
  employmentContractIds: string[];
  actionIds: string[];
  /** Members a request may remove or change without taking a fuzzing caller's access away. */
  spareMemberIds: string[];
  /** Members who may be named (a référent, a filter). */
  memberIds: string[];
  spareApiKeyIds: string[];
}

export interface Caller {
  name: string;
  headers: Record<string, string>;
}

/** A body sent as JSON, or raw text with its content type (null: no content-type header). */
export type RequestBody = { json: unknown } | { raw: string; contentType: string | null };

export interface FuzzRequest {
  operation: Operation;
  /** `valid`, or the mutation applied. */
  kind: string;
  caller: Caller;
  method: string;
  /** Already percent-encoded. */
  pathParams: Record<string, string>;
  /** Already percent-encoded name=value pairs. */
  query: string[];
  headers: Record<string, string>;
  body?: RequestBody;
}

export function operationsOf(document: OpenAPIObject): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const content = (operation.requestBody as { content?: Record<string, { schema?: Schema }> } | undefined)?.content;
      operations.push({
        method: method.toUpperCase(),
        template,
        parameters: (operation.parameters ?? []) as Parameter[],
        body: content?.['application/json']?.schema,
      });
    }
  }
  return operations;
}

export function urlOf(request: FuzzRequest): string {
  const path = request.operation.template.replace(/\{(\w+)\}/g, (_, name: string) => request.pathParams[name] ?? '');
  return request.query.length ? `${path}?${request.query.join('&')}` : path;
}

// ---------------------------------------------------------------------------------------------
// Valid requests

const VALID_NIRS = ['290067512345685', '185057800608436', '269054958815780'];
const VALID_SIRETS = ['73282932000074', '35600000000048'];

export class RequestGenerator {
  constructor(
    private readonly document: OpenAPIObject,
    private readonly world: World,
    private readonly callers: Caller[],
  ) {}

  /** A request to one of the operations, valid or mutated once. */
  request(operations: readonly Operation[]): fc.Arbitrary<FuzzRequest> {
    return fc
      .constantFrom(...operations)
      .chain((operation) => this.valid(operation))
      .chain((valid) => fc.oneof({ arbitrary: fc.constant(valid), weight: 2 }, { arbitrary: this.mutated(valid), weight: 3 }));
  }

  valid(operation: Operation): fc.Arbitrary<FuzzRequest> {
    const params = operation.parameters;
    const pathParams = fc.record(
      Object.fromEntries(params.filter((param) => param.in === 'path').map((param) => [param.name, this.pathValue(operation, param).map(encode)])),
    );
    const queryParams = params
      .filter((param) => param.in === 'query')
      .map((param) => {
        const value = this.value(param.schema, param.name, operation).map((v) => `${encode(param.name)}=${encode(String(v))}`);
        return param.required ? value.map((pair) => [pair]) : fc.option(value, { nil: undefined, freq: 2 }).map((pair) => (pair === undefined ? [] : [pair]));
      });
    const query = fc.tuple(...queryParams).map((pairs) => pairs.flat());
    const headers = fc.record(
      {
        'idempotency-key': fc.uuid().map((uuid) => `fuzz-${uuid}`),
        'if-match': fc.integer({ min: 1, max: 12 }).map((version) => `"${version}"`),
      },
      { requiredKeys: [] },
    );
    const body = operation.body ? this.value(operation.body, 'body', operation).map((json): RequestBody => ({ json })) : fc.constant(undefined);
    return fc.record({ caller: fc.constantFrom(...this.callers), pathParams, query, headers, body }).map(({ caller, pathParams, query, headers, body }) => {
      const keyed = operation.parameters.some((param) => param.in === 'header') ? headers : {};
      return { operation, kind: 'valid', caller, method: operation.method, pathParams, query, headers: keyed, ...(body ? { body } : {}) };
    });
  }

  private pathValue(operation: Operation, param: Parameter): fc.Arbitrary<string> {
    const world = this.world;
    const existing = (ids: string[]) => fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 9 }, { arbitrary: fc.uuid(), weight: 1 });
    switch (param.name) {
      case 'parcoursId':
        return existing(world.parcoursIds);
      case 'partnerId':
        if (operation.template.endsWith('/deactivation')) return existing(world.spareOrganisationIds);
        return existing(world.partnerIds);
      case 'userId':
        return fc.oneof({ arbitrary: fc.constantFrom(...world.spareMemberIds), weight: 9 }, { arbitrary: memberIdArbitrary(), weight: 1 });
      case 'keyId':
        return fc.oneof(fc.constantFrom(...world.spareApiKeyIds), fc.stringMatching(/^[a-z0-9]{8,24}$/));
      case 'contractId':
        return existing(operation.template.includes('engagement') ? world.engagementContractIds : world.employmentContractIds);
      case 'actionId':
        return existing(world.actionIds);
      default:
        return this.value(param.schema, param.name, operation).map(String);
    }
  }

  /** A valid value for a schema; the name tells what the document does not (an id that exists, a SIRET's checksum). */
  value(schema: Schema, name: string, operation: Operation): fc.Arbitrary<unknown> {
    const resolved = this.resolve(schema);
    const plain = this.plainValue(resolved, name, operation);
    return resolved.nullable ? fc.option(plain, { nil: null, freq: 4 }) : plain;
  }

  private plainValue(schema: Schema, name: string, operation: Operation): fc.Arbitrary<unknown> {
    const world = this.world;
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.type === 'array') {
      const items = this.resolve(schema.items ?? {});
      if (items.enum) return fc.subarray([...items.enum], { minLength: 1 });
      return fc.array(this.value(items, name, operation), { minLength: 1, maxLength: 3 });
    }
    if (schema.type === 'object' || schema.properties) {
      const properties = Object.entries(schema.properties ?? {});
      return fc.record(Object.fromEntries(properties.map(([key, inner]) => [key, this.value(inner, key, operation)])), { requiredKeys: schema.required ?? [] });
    }
    if (schema.type === 'boolean') return fc.boolean();
    if (schema.type === 'integer' || schema.type === 'number') {
      if (name === 'year') return fc.integer({ min: 2019, max: 2027 });
      return fc.integer({ min: Math.ceil(schema.minimum ?? 0), max: Math.floor(schema.maximum ?? 100) });
    }
    switch (name) {
      case 'nir':
        return fc.constantFrom(...VALID_NIRS);
      case 'siret':
      case 'employerSiret':
        return fc.constantFrom(...VALID_SIRETS);
      case 'referentUserId':
      case 'referent':
      case 'userId':
        if (operation.method === 'POST' && operation.template.endsWith('/members')) return memberIdArbitrary();
        return fc.oneof({ arbitrary: fc.constantFrom(...world.memberIds), weight: 9 }, { arbitrary: memberIdArbitrary(), weight: 1 });
      case 'organismeReferentId':
      case 'providerPartnerId':
      case 'employerPartnerId':
      case 'organisation':
      case 'partner':
      case 'partnerId':
        return fc.oneof({ arbitrary: fc.constantFrom(...world.partnerIds), weight: 9 }, { arbitrary: fc.uuid(), weight: 1 });
      case 'cursor':
        if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...world.parcoursIds), fc.uuid());
        break;
      case 'expiresAt':
        return fc.integer({ min: 1, max: 700 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
      case 'from':
      case 'to':
        if (schema.format === 'date-time') return dateTimeArbitrary();
        break;
      default:
        break;
    }
    if (schema.format === 'uuid') return fc.uuid();
    if (schema.format === 'date') return dateArbitrary();
    if (schema.format === 'date-time') return dateTimeArbitrary();
    if (schema.format === 'email') return fc.constantFrom('camille.martin@exemple.fr', 'c.m+spie@mairie-thiers.fr');
    if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
    return fc.string({ minLength: Math.max(1, schema.minLength ?? 1), maxLength: Math.min(schema.maxLength ?? 40, 40) }).filter((text) => text.trim() !== '');
  }

  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let hops = 0; hops < 10; hops += 1) {
      // OpenAPI 3.1: a null is a `'null'` type or a `{ type: 'null' }` branch, read here as `nullable`.
      const types = current.type as string | string[] | undefined;
      if (Array.isArray(types)) {
        const [type] = types.filter((name) => name !== 'null');
        current = { ...current, type, nullable: current.nullable || types.includes('null'), ...(current.enum ? { enum: current.enum.filter((value) => value !== null) } : {}) };
      }
      const branches = current.oneOf?.filter((branch) => (branch.type as unknown) !== 'null');
      if (current.oneOf && branches?.length === 1) {
        const { oneOf, ...rest } = current;
        current = { ...rest, ...branches[0]!, nullable: current.nullable || oneOf.length > 1 };
        continue;
      }
      if (current.$ref) {
        const name = current.$ref.split('/').at(-1)!;
        current = { ...(this.document.components?.schemas?.[name] as Schema), nullable: current.nullable };
      } else if (current.allOf?.length === 1) {
        const { allOf, ...rest } = current;
        current = { ...rest, ...this.resolve(allOf[0]!), nullable: current.nullable };
      } else {
        return current;
      }
    }
    return current;
  }

  // -------------------------------------------------------------------------------------------
  // Mutations: one thing made hostile

  mutated(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const { operation } = valid;
    const mutations: Array<fc.Arbitrary<FuzzRequest>> = [this.queryMutation(valid), this.headerMutation(valid), this.methodMutation(valid)];
    if (Object.keys(valid.pathParams).length) mutations.push(this.pathMutation(valid));
    if (operation.body && valid.body && 'json' in valid.body) mutations.push(this.bodyFieldMutation(valid), this.bodyFieldMutation(valid), this.rawBodyMutation(valid), this.contentTypeMutation(valid));
    return fc.oneof(...mutations);
  }

  private bodyFieldMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const json = (valid.body as { json: unknown }).json;
    const paths = pathsOf(json);
    const fields = paths.filter((path) => path.length);
    return fc.oneof(
      fc.record({ path: fc.constantFrom(...paths), value: hostileValue() }).map(({ path, value }) => ({
        ...valid,
        kind: path.length ? 'body-field' : 'body-whole',
        body: { json: setAt(json, path, value) },
      })),
      ...(fields.length ? [fc.constantFrom(...fields).map((path) => ({ ...valid, kind: 'body-missing-field', body: { json: removeAt(json, path) } }))] : []),
      fc.record({ name: fc.constantFrom('version', 'partnerId', 'role', 'isAdmin', 'id', 'constructor', 'prototype'), value: hostileValue() }).map(({ name, value }) => ({
        ...valid,
        kind: 'body-extra-field',
        body: { json: typeof json === 'object' && json !== null && !Array.isArray(json) ? { ...json, [name]: value } : { [name]: value } },
      })),
    );
  }

  private rawBodyMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const json = JSON.stringify((valid.body as { json: unknown }).json);
    const raw = fc.constantFrom(
      '',
      'null',
      '[]',
      '"text"',
      '42',
      '{',
      '{"a":1,}',
      "{'single': 'quotes'}",
      json.slice(0, Math.max(1, json.length - 1)),
      json.replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
      json.replace(/^\{/, '{"constructor":{"prototype":{"isAdmin":true}},'),
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
      `{"filler":"${'A'.repeat(300 * 1024)}"}`,
      `\uFEFF${json}`,
      `${json}${json}`,
    );
    return raw.map((text) => ({ ...valid, kind: 'body-raw', body: { raw: text, contentType: 'application/json' } }));
  }

  private contentTypeMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const json = JSON.stringify((valid.body as { json: unknown }).json);
    return fc
      .constantFrom<[string | null, string]>(
        [null, json],
        ['text/plain', json],
        ['application/xml', '<a>1</a>'],
        ['application/json; charset=utf-16', json],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--'],
        ['application/x-www-form-urlencoded', 'userId=a%00b&roles=referent&name=%ED%A0%80'],
        ['application/merge-patch+json', json],
        ['application/json', json.replaceAll('"', "'")],
      )
      .map(([contentType, raw]) => ({ ...valid, kind: 'content-type', body: { raw, contentType } }));
  }

  private queryMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const declared = valid.operation.parameters.filter((param) => param.in === 'query').map((param) => param.name);
    const names = fc.constantFrom(...declared, 'unknown', '__proto__', 'limit', 'cursor', 'after');
    return fc
      .record({ name: names, value: hostileText(), repeat: fc.boolean() })
      .map(({ name, value, repeat }) => {
        const pair = `${encode(name)}=${value}`;
        const kept = valid.query.filter((existing) => repeat || !existing.startsWith(`${encode(name)}=`));
        return { ...valid, kind: 'query', query: [...kept, pair] };
      });
  }

  private pathMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    return fc
      .record({ name: fc.constantFrom(...Object.keys(valid.pathParams)), value: hostileText() })
      .filter(({ value }) => value !== '')
      .map(({ name, value }) => ({ ...valid, kind: 'path', pathParams: { ...valid.pathParams, [name]: value } }));
  }

  private headerMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    const header = fc.oneof(
      fc.constantFrom('"abc"', '*', 'W/"1"', '"99999999999"', '"-1"', '1, 2', '""', 'x'.repeat(300), 'é').map((value) => ['if-match', value] as const),
      fc.constantFrom('has space', 'k'.repeat(201), '', 'clé', 'a\tb', 'fuzz-reused').map((value) => ['idempotency-key', value] as const),
      fc
        .constantFrom('Bearer', 'Bearer ', 'Bearer abc.def.ghi', 'Bearer e30.e30.', 'ApiKey ', 'ApiKey x', `ApiKey ${'a'.repeat(500)}`, 'Basic dXNlcjpwYXNz', 'bearer  x', 'ApiKey spk_0000.0000')
        .map((value) => ['authorization', value] as const),
      fc.constantFrom('text/csv', '*/*', 'application/xml', 'text/html', 'text/csv;q=0.1, application/json', 'é').map((value) => ['accept', value] as const),
      fc.constantFrom('x', 'a'.repeat(65), '../../etc', 'é'.repeat(10), 'ok-correlation-id').map((value) => ['x-correlation-id', value] as const),
      fc.constantFrom('99999999999999999999-1', '1-99999999999999999', 'abc', '-1--1').map((value) => ['last-event-id', value] as const),
    );
    return header.map(([name, value]) => ({ ...valid, kind: `header-${name}`, headers: { ...valid.headers, [name]: value } }));
  }

  private methodMutation(valid: FuzzRequest): fc.Arbitrary<FuzzRequest> {
    return fc
      .constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')
      .filter((method) => method !== valid.operation.method)
      .map((method) => ({
        ...valid,
        kind: 'method',
        method,
        // Fetch sends no body with GET.
        ...(method === 'GET' ? { body: undefined } : {}),
      }));
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values

const HOSTILE_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\udc00\ud800',
  'abc\u202Eevil',
  "' OR 1=1--",
  "'; DROP TABLE events; --",
  '" OR ""="',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '../../../etc/passwd',
  ' ',
  '',
  'null',
  'NaN',
  '1e20',
  '-1',
  '0x10',
  '2021-02-30',
  '-2021-01',
  '2021-13-01',
  '0000-01-01',
  '0000-02-29',
  '0001-01-01',
  '9999-12-31',
  '0000-01',
  '9999-12',
  '99999999999999999999-1',
  '18446744073709551616-1',
  '1-9999999999999999',
  '+275760-09-13',
  '2021-02-28T25:00:00Z',
  '2026-W01',
  '💥💥💥',
  'e\u0301',
  '\r\n',
  'A'.repeat(10_000),
];

function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 6 },
    { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, -0, 1e20, -1e20, 2 ** 53 + 1, Number.MAX_VALUE, Number.MIN_VALUE), weight: 3 },
    { arbitrary: fc.constantFrom([], {}, [null], { a: { b: { c: 1 } } }, ['referent', 'platform_admin'], deep(40), deep(3_000)), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: fc.string({ minLength: 0, maxLength: 300 }), weight: 1 },
  );
}

/** Already percent-encoded: what a URL carries, broken encodings included. */
function hostileText(): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map(encode), weight: 4 },
    { arbitrary: fc.constantFrom('%FF', '%C0%AF', '%', '%zz', '%2e%2e', '%2F', '%ED%A0%80', '%00', '..', '.', '%20', '+'), weight: 2 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).map(encode), weight: 1 },
    { arbitrary: fc.uuid(), weight: 1 },
  );
}

function deep(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = { a: value };
  return value;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function memberIdArbitrary(): fc.Arbitrary<string> {
  return fc.stringMatching(/^[A-Za-z0-9._~:@|+=-]{1,40}$/);
}

function dateArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    // Around the fuzzed world's dates: before, within and after (in the future, which rules refuse)…
    { arbitrary: fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)), weight: 8 },
    // …and at the ends of what a date may be, where arithmetic leaves the calendar.
    { arbitrary: fc.constantFrom('1900-01-01', '1900-02-28', '2000-02-29', '2999-12-31', '2100-02-28', '0001-01-01', '9999-12-31'), weight: 2 },
  );
}

function dateTimeArbitrary(): fc.Arbitrary<string> {
  return fc.date({ min: new Date('2015-01-01T00:00:00Z'), max: new Date('2027-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
}

/**
 * encodeURIComponent, but a lone surrogate (which it refuses) is written as the three bytes a
 * careless encoder would produce, which is what a hostile client sends.
 */
export function encode(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += encodeURIComponent(text.slice(index, index + 2));
        index += 1;
        continue;
      }
    }
    if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('');
      continue;
    }
    out += encodeURIComponent(text[index]!);
  }
  return out;
}

type Path = Array<string | number>;

function pathsOf(value: unknown, prefix: Path = [], depth = 0): Path[] {
  const paths: Path[] = [prefix];
  if (depth > 4 || typeof value !== 'object' || value === null) return paths;
  const entries = Array.isArray(value) ? value.map((inner, index) => [index, inner] as const) : Object.entries(value);
  for (const [key, inner] of entries) paths.push(...pathsOf(inner, [...prefix, key], depth + 1));
  return paths;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>;
  copy[head!] = setAt(copy[head!], rest, value);
  return copy;
}

function removeAt(root: unknown, path: Path): unknown {
  const [head, ...rest] = path;
  if (Array.isArray(root)) return rest.length ? root.map((inner, index) => (index === head ? removeAt(inner, rest) : inner)) : root.filter((_, index) => index !== head);
  const copy = { ...(root as Record<string, unknown>) };
  if (rest.length) copy[head as string] = removeAt(copy[head as string], rest);
  else delete copy[head as string];
  return copy;
}
