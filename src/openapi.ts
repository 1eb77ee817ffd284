import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { withProblemAnswers } from './openapi-problems.js';

/** The OpenAPI document of the partner caseworker API (served at /docs, exported by `npm run openapi`). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('spie-parcours')
    .setDescription(
      "API of the Service Public de l'Insertion et de l'Emploi: the parcours of RSA beneficiaries, recorded as events by the " +
        'caseworkers of partner organisations. People authenticate with an OIDC bearer token (ProConnect), partner systems with ' +
        '`Authorization: ApiKey <key>`. Errors are RFC 9457 problem details.',
    )
    .setVersion('1')
    .setLicense('Licence Ouverte 2.0 / Etalab', 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/')
    // Relative: the document is served by the instance it describes, whatever its host name.
    .addServer('/', 'The instance serving this document')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'ApiKey <key>' }, 'apiKey')
    .build();
  return withProblemAnswers(toOpenApi31(SwaggerModule.createDocument(app, config)));
}

type Json = Record<string, unknown>;

/**
 * @nestjs/swagger writes OpenAPI 3.0; the document is published as 3.1 (JSON Schema 2020-12) so
 * that a null is said the way every JSON Schema validator and client generator reads it. A
 * systematic rewrite, here rather than in a hundred decorators:
 * - `type: T, nullable: true` → `type: [T, 'null']` (and `null` among an enum's values);
 * - a nullable object (`nullable` beside `allOf: [$ref]`, which strict validators refuse on
 *   null) → `oneOf: [{ $ref }, { type: 'null' }]`, its description kept beside.
 */
export function toOpenApi31(document: OpenAPIObject): OpenAPIObject {
  const converted = rewriteNullables(document) as OpenAPIObject;
  converted.openapi = '3.1.0';
  return converted;
}

function rewriteNullables(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteNullables);
  if (typeof value !== 'object' || value === null) return value;
  const object = Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rewriteNullables(inner)])) as Json;
  if (object['nullable'] === undefined) return object;
  const { nullable, ...rest } = object;
  if (nullable !== true) return rest;
  const allOf = rest['allOf'] as Json[] | undefined;
  const reference = (rest['$ref'] as string | undefined) ?? (allOf?.length === 1 ? (allOf[0]!['$ref'] as string | undefined) : undefined);
  if (reference !== undefined) {
    const { type: _type, allOf: _allOf, $ref: _ref, ...beside } = rest;
    return { ...beside, oneOf: [{ $ref: reference }, { type: 'null' }] };
  }
  if (typeof rest['type'] !== 'string') throw new Error(`A nullable schema without a type: ${JSON.stringify(object)}`);
  const enumValues = rest['enum'] as unknown[] | undefined;
  return { ...rest, type: [rest['type'], 'null'], ...(enumValues ? { enum: [...enumValues, null] } : {}) };
}
