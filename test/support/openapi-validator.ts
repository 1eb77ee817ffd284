import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * Validates real answers against the OpenAPI document the service publishes: the document is the
 * contract partner tools are generated from, so an answer that strays from it is a bug.
 */
export class OpenApiValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    (addFormats as unknown as (ajv: Ajv) => void)(this.ajv);
    this.ajv.addSchema({ $id: 'openapi', components: toJsonSchema(document.components ?? {}) } as object);
  }

  /** Errors of `body` against the documented answer of `method path` with `status` (empty: valid). */
  errors(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const operation = this.document.paths[path]?.[method.toLowerCase() as 'get'];
      // A problem is documented once per operation, as its `default` answer.
      const response = (operation?.responses?.[String(status)] ?? (status >= 400 ? operation?.responses?.['default'] : undefined)) as
        | { content?: Record<string, { schema?: object }> }
        | undefined;
      const schema = response?.content?.[status >= 400 ? 'application/problem+json' : 'application/json']?.schema;
      if (!schema) return [`no documented JSON answer for ${key}`];
      validate = this.ajv.compile(rewriteRefs(toJsonSchema(schema)) as object);
      this.cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  }

  /** Errors of a problem against the documented ProblemDetails (for a method no operation of the path has). */
  problemErrors(body: unknown): string[] {
    const validate = this.ajv.getSchema('openapi#/components/schemas/ProblemDetails');
    if (!validate) return ['no documented ProblemDetails'];
    return validate(body) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
  }
}

/** OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a null branch. */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (typeof value !== 'object' || value === null) return value;
  const object = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJsonSchema(inner)])) as Record<string, unknown>;
  if (object['nullable'] === true) {
    const { nullable: _nullable, ...rest } = object;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return object;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === '$ref' && typeof inner === 'string' ? `openapi${inner}` : rewriteRefs(inner)]),
  );
}
