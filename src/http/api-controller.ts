import { Controller, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity, ApiTags } from '@nestjs/swagger';

/**
 * A controller of the API under `path`: its OpenAPI tag and the two ways in every one of them
 * accepts (a bearer token or an API key; the guard decides, src/partners/auth/access.guard.ts).
 */
export function ApiController(tag: string, path: string): ClassDecorator {
  // In the order TypeScript applies stacked decorators (the nearest the class first): bearer listed before the API key.
  return applyDecorators(Controller(path), ApiSecurity('apiKey'), ApiBearerAuth(), ApiTags(tag));
}
