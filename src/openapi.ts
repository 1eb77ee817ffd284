import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

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
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'ApiKey <key>' }, 'apiKey')
    .build();
  return withProblemAnswers(SwaggerModule.createDocument(app, config));
}

/**
 * Every operation may answer a problem (400, 401, 403, 404, 409, 412, 413, 422, 429, 503): the
 * shape is documented once, as each operation's `default` answer, so that generated clients read
 * the `code`, the `correlationId` and, on a 400, the invalid fields.
 */
function withProblemAnswers(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas['ProblemDetails'] = {
    type: 'object',
    required: ['type', 'title', 'status', 'code', 'correlationId'],
    properties: {
      type: { type: 'string', description: 'urn:spie-parcours:problem:<code>' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'Stable, for programs: validation_failed, not_found, processing_restricted…' },
      correlationId: { type: 'string', description: 'Also in the x-correlation-id header; quote it to the support' },
      errors: {
        type: 'array',
        description: 'On a 400: each invalid field and what is wrong with it',
        items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
      },
    },
  };
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      operation.responses['default'] ??= {
        description: 'A problem (RFC 9457): invalid request, not authenticated, not allowed, not found, conflict, rule broken, too many requests',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
      };
    }
  }
  return document;
}
