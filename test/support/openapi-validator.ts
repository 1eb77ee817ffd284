import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

export interface ValidatorOptions {
  /**
   * JSON pointers (`#/components/schemas/X/properties/y`) of the object schemas still left
   * untyped on purpose (their shape varies with an event type, a policy file…). Any other free
   * object — `type: object` with no properties — fails the answer it meets: an untyped report
   * body is a contract a generated client cannot use.
   */
  freeForm?: readonly string[];
}

/**
 * The object schemas of the published document still untyped, each for a reason; the e2e suites
 * pass this list, so that a new untyped body fails them. To shorten, not to lengthen.
 */
export const KNOWN_FREE_FORM: readonly string[] = [
  // The minimised data of a feed event: its shape is the event type's (src/parcours/read-models/partner-feed/feed.ts).
  '#/components/schemas/FeedItem/properties/data',
  // The replayed domain state of a parcours (src/parcours/domain), not the API view: not typed yet.
  '#/components/schemas/ReplayResponse/properties/state',
  // The timeline's entries carry each event's own data; the lanes are keyed by rule.
  '#/components/schemas/TimelineResponse/properties/entries/items',
  '#/components/schemas/TimelineResponse/properties/lanes',
  // A failed readiness check's results, as @nestjs/terminus gives them.
  '#/components/schemas/ProblemDetails/properties/checks',
];

/**
 * Validates real answers (and the requests the service accepted) against the OpenAPI document
 * the service publishes: the document is the contract partner tools are generated from, so an
 * answer that strays from it is a bug. Strict:
 * - our object schemas refuse properties they do not declare (`additionalProperties: false`
 *   unless the schema says otherwise);
 * - nulls only where declared (OpenAPI 3.1 `'null'` types; a 3.0 `nullable` is read the same way);
 * - the status must be declared for the operation (no fallback to `default`, which is the
 *   unexpected 500), and the media type for that status;
 * - a free object outside `freeForm` fails.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, verbose: true });
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly document: OpenAPIObject;

  constructor(document: OpenAPIObject, options: ValidatorOptions = {}) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.ajv.addKeyword({ keyword: 'x-untyped', validate: () => false, errors: false });
    const freeForm = new Set(options.freeForm ?? []);
    const openApi30 = String(document.openapi).startsWith('3.0');
    this.document = strictSchemas(openApi30 ? fromOpenApi30(document) : document, '#', freeForm, false) as OpenAPIObject;
    this.ajv.addSchema({ $id: 'openapi', components: this.document.components ?? {} } as object);
  }

  /**
   * Errors of an answer (`body` parsed when JSON, the text otherwise) against the documented
   * answer of `method path` with `status` and `contentType` (empty: valid).
   */
  errors(method: string, path: string, status: number, body: unknown, contentType = status >= 400 ? 'application/problem+json' : 'application/json'): string[] {
    const key = `${method} ${path} ${status} ${contentType}`;
    const operation = this.document.paths[path]?.[method.toLowerCase() as 'get'];
    if (!operation) return [`no documented operation ${method} ${path}`];
    const response = operation.responses?.[String(status)] as { content?: Record<string, { schema?: object }> } | undefined;
    if (!response) return [`status ${status} is not documented for ${method} ${path}`];
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    if (!response.content) return body === undefined || body === '' || (typeof body === 'object' && body !== null && Object.keys(body).length === 0) ? [] : [`${key}: documented without a body`];
    const media = response.content[mediaType];
    if (!media) return [`media type ${mediaType} is not documented for ${method} ${path} ${status} (documented: ${Object.keys(response.content).join(', ')})`];
    return this.check(key, media.schema, body);
  }

  /** The response headers the document says `required` for that answer and `headers` lacks. */
  headerErrors(method: string, path: string, status: number, headers: Headers): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase() as 'get'];
    const response = operation?.responses?.[String(status)] as { headers?: Record<string, { required?: boolean }> } | undefined;
    return Object.entries(response?.headers ?? {})
      .filter(([name, header]) => header.required === true && !headers.has(name))
      .map(([name]) => `${method} ${path} ${status} lacks the ${name} header`);
  }

  /** Errors of a JSON request body the service accepted against the documented request body. */
  requestErrors(method: string, path: string, body: unknown): string[] {
    const operation = this.document.paths[path]?.[method.toLowerCase() as 'get'];
    if (!operation) return [`no documented operation ${method} ${path}`];
    const requestBody = operation.requestBody as { content?: Record<string, { schema?: object }> } | undefined;
    if (!requestBody) return body === undefined ? [] : [`${method} ${path} documents no request body`];
    return this.check(`request ${method} ${path}`, requestBody.content?.['application/json']?.schema, body);
  }

  /** Errors of a value against a schema of the document (an example, say). */
  schemaErrors(schema: object, value: unknown): string[] {
    return this.check(`schema ${JSON.stringify(schema)}`, schema, value);
  }

  /** Errors of a problem against the documented ProblemDetails (for a method no operation of the path has). */
  problemErrors(body: unknown): string[] {
    const validate = this.ajv.getSchema('openapi#/components/schemas/ProblemDetails');
    if (!validate) return ['no documented ProblemDetails'];
    return validate(body) ? [] : messages(validate);
  }

  private check(key: string, schema: object | undefined, body: unknown): string[] {
    if (!schema) return [`${key}: no documented schema`];
    let validate = this.cache.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema) as object);
      this.cache.set(key, validate);
    }
    return validate(body) ? [] : messages(validate);
  }
}

function messages(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((error) =>
    error.keyword === 'x-untyped'
      ? `${error.instancePath || '/'} is matched by an untyped object schema (${String(error.schema)})`
      : `${error.instancePath || '/'} ${error.message ?? ''}${error.keyword === 'additionalProperties' ? `: ${String((error.params as { additionalProperty?: string }).additionalProperty)}` : ''}`,
  );
}

type Json = Record<string, unknown>;

/** OpenAPI 3.0 → 3.1 schemas: `nullable: true` becomes a null branch. */
function fromOpenApi30(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromOpenApi30);
  if (typeof value !== 'object' || value === null) return value;
  const object = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fromOpenApi30(inner)])) as Json;
  if (object['nullable'] === true) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

function isObjectSchema(schema: Json): boolean {
  const type = schema['type'];
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
}

/**
 * Our schemas made strict: an object schema with properties refuses others (not a branch of an
 * `allOf`, whose siblings add properties), a free object outside `freeForm` is marked untyped.
 */
function strictSchemas(value: unknown, pointer: string, freeForm: ReadonlySet<string>, inAllOf: boolean): unknown {
  if (Array.isArray(value)) return value.map((inner, index) => strictSchemas(inner, `${pointer}/${index}`, freeForm, inAllOf));
  if (typeof value !== 'object' || value === null) return value;
  const object = Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, strictSchemas(inner, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, freeForm, key === 'allOf')]),
  ) as Json;
  if (!isObjectSchema(object) || pointer.includes('/examples/') || pointer.endsWith('/example')) return object;
  const composed = ['allOf', 'oneOf', 'anyOf', '$ref'].some((key) => key in object);
  const additional = object['additionalProperties'];
  if (object['properties'] === undefined && !composed && (additional === undefined || additional === true)) {
    return freeForm.has(pointer) ? object : { ...object, 'x-untyped': pointer };
  }
  if (object['properties'] !== undefined && additional === undefined && !inAllOf) return { ...object, additionalProperties: false };
  return object;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? `openapi${inner}` : rewriteRefs(inner)]),
  );
}
