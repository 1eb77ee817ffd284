import { Global, Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.js';

/** What every HTTP feature shares. */
@Global()
@Module({ providers: [IdempotencyStore], exports: [IdempotencyStore] })
export class HttpModule {}
