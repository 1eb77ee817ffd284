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
  return SwaggerModule.createDocument(app, config);
}
