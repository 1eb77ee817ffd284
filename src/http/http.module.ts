import { Global, Module } from '@nestjs/common';
import { IdempotencyStore } from './idempotency.js';
import { AddressRateLimits, SharedRateCounter } from './rate-limits.js';

/** What every HTTP feature shares. */
@Global()
@Module({ providers: [IdempotencyStore, SharedRateCounter, AddressRateLimits], exports: [IdempotencyStore, SharedRateCounter, AddressRateLimits] })
export class HttpModule {}
