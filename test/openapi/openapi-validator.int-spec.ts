import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from '../../src/openapi.js';
import { KNOWN_FREE_FORM, OpenApiValidator } from '../support/openapi-validator.js';
import { type RunningApp, startApp } from '../support/test-app.js';

/**
 * The strict validator the e2e suites check every answer with, on small hand-made documents: it
 * must fail on each way the document can be vaguer than the API (issue 14). Then the published
 * document itself: its examples valid, its untyped objects only the named ones.
 */

const PROBLEM = { type: 'object', required: ['code'], properties: { code: { type: 'string' }, status: { type: 'integer' } } };

function documentWith(schema: object, openapi = '3.1.0', extraResponses: Record<string, object> = {}): OpenAPIObject {
  return {
    openapi,
    info: { title: 'test', version: '1' },
    paths: {
      '/things/{id}': {
        get: {
          responses: {
            '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            default: { description: 'problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            ...extraResponses,
          },
        },
      },
    },
    components: { schemas: { Thing: schema, Problem: PROBLEM } },
  } as unknown as OpenAPIObject;
}

const validate = (document: OpenAPIObject, body: unknown, status = 200, contentType?: string, freeForm: string[] = []) =>
  new OpenApiValidator(document, { freeForm }).errors('GET', '/things/{id}', status, body, contentType);

describe('the strict OpenAPI validator', () => {
  it('fails on a date answered where the document says a nullable object (the `nullable: true` without a type)', () => {
    const vague = documentWith({ type: 'object', properties: { notifiedOn: { type: 'object', nullable: true } } }, '3.0.0');
    expect(validate(vague, { notifiedOn: '2025-01-20' })).toEqual([
      '/notifiedOn must be object',
      '/notifiedOn is matched by an untyped object schema (#/components/schemas/Thing/properties/notifiedOn/anyOf/0)',
      '/notifiedOn must be null',
      '/notifiedOn must match a schema in anyOf',
    ]);
    const exact = documentWith({ type: 'object', properties: { notifiedOn: { type: ['string', 'null'], format: 'date' } } });
    expect(validate(exact, { notifiedOn: '2025-01-20' })).toEqual([]);
    expect(validate(exact, { notifiedOn: null })).toEqual([]);
    expect(validate(exact, { notifiedOn: '20 janvier' })).toEqual(['/notifiedOn must match format "date"']);
  });

  it('honours a nullable object written oneOf [$ref, null], and refuses a null where none is declared', () => {
    const document = documentWith({
      type: 'object',
      required: ['referent', 'orientation'],
      properties: { referent: { oneOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'null' }] }, orientation: { $ref: '#/components/schemas/Problem' } },
    });
    expect(validate(document, { referent: null, orientation: { code: 'x' } })).toEqual([]);
    expect(validate(document, { referent: { code: 'y' }, orientation: null })).toEqual(['/orientation must be object']);
  });

  it('fails on an untyped report body, unless it is named as left free', () => {
    const document = documentWith({ type: 'object', properties: { pec: { type: 'object', additionalProperties: true } } });
    expect(validate(document, { pec: { committedCents: 1 } })).toEqual(['/pec is matched by an untyped object schema (#/components/schemas/Thing/properties/pec)']);
    expect(validate(document, { pec: { committedCents: 1 } }, 200, undefined, ['#/components/schemas/Thing/properties/pec'])).toEqual([]);
  });

  it('fails on a property the schema does not declare', () => {
    const document = documentWith({ type: 'object', properties: { year: { type: 'integer' } } });
    expect(validate(document, { year: 2025, rounding: {} })).toEqual(['/ must NOT have additional properties: rounding']);
  });

  it('fails on an undeclared status code, even with a default answer', () => {
    const document = documentWith({ type: 'object', properties: {} });
    expect(validate(document, { code: 'not_found' }, 404)).toEqual(['status 404 is not documented for GET /things/{id}']);
    const declared = documentWith({ type: 'object', properties: {} }, '3.1.0', {
      '404': { description: 'not found', content: { 'application/problem+json': { schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: ['not_found'] } } }] } } } },
    });
    expect(validate(declared, { code: 'not_found' }, 404)).toEqual([]);
    expect(validate(declared, { code: 'gone' }, 404)).toEqual(['/code must be equal to one of the allowed values']);
  });

  it('fails on an undeclared media type', () => {
    const document = documentWith({ type: 'object', properties: {} });
    expect(validate(document, 'Règle;Gravité\r\n', 200, 'text/csv; charset=utf-8')).toEqual([
      'media type text/csv is not documented for GET /things/{id} 200 (documented: application/json)',
    ]);
    expect(validate(document, {}, 200, 'application/json; charset=utf-8')).toEqual([]);
  });
});

describe('the published OpenAPI document', () => {
  let running: RunningApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    running = await startApp({ LOG_LEVEL: 'silent' });
    document = buildOpenApiDocument(running.app);
  }, 120_000);

  afterAll(async () => {
    await running?.close();
  });

  it('is OpenAPI 3.1 without a 3.0 `nullable` left', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(JSON.stringify(document)).not.toContain('"nullable"');
  });

  it('has its untyped objects only among the named ones (a new untyped body fails here)', () => {
    const free: string[] = [];
    const walk = (value: unknown, pointer: string): void => {
      if (Array.isArray(value)) return value.forEach((inner, index) => walk(inner, `${pointer}/${index}`));
      if (typeof value !== 'object' || value === null) return;
      const schema = value as Record<string, unknown>;
      const type = schema['type'];
      const isObject = type === 'object' || (Array.isArray(type) && type.includes('object'));
      const composed = ['allOf', 'oneOf', 'anyOf', '$ref'].some((key) => key in schema);
      if (isObject && !schema['properties'] && !composed && (schema['additionalProperties'] === undefined || schema['additionalProperties'] === true)) free.push(pointer);
      for (const [key, inner] of Object.entries(schema)) walk(inner, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    };
    walk(document.components, '#/components');
    walk(document.paths, '#/paths');
    expect(free.sort()).toEqual([...KNOWN_FREE_FORM].sort());
  });

  it('has every example valid against its own schema (the SIRETs among them)', () => {
    const validator = new OpenApiValidator(document, { freeForm: KNOWN_FREE_FORM });
    const invalid: string[] = [];
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      for (const [property, inner] of Object.entries((schema as { properties?: Record<string, { example?: unknown }> }).properties ?? {})) {
        if (inner.example === undefined) continue;
        const errors = validator.schemaErrors({ type: 'object', properties: { [property]: inner } }, { [property]: inner.example });
        if (errors.length) invalid.push(`${name}.${property}: ${errors.join('; ')}`);
      }
    }
    expect(invalid).toEqual([]);
  });
});
