import { Get, Inject, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { CASEWORKERS } from '../../../access/functions.js';
import { Roles } from '../../../access/access.decorators.js';
import type { AuthenticatedRequest } from '../../../access/principal.js';
import { MEMBER_ID_PATTERN } from '../../../access/member-id.js';
import { IsMemberId } from '../../../http/member-id.js';
import { AccessJournal } from '../../../access-journal/access-journal.js';
import { entryFor, readerOf } from '../parcours-details/parcours-details.query.js';
import type { CaseloadDoc } from './caseload.projection.js';
import { CaseloadQueries } from './caseload.query.js';
import { ApiController } from '../../../http/api-controller.js';

export class CaseloadQuery {
  @ApiPropertyOptional({ description: 'A référent (their `sub`), or `me`', pattern: MEMBER_ID_PATTERN.source }) @IsOptional() @IsMemberId() referent?: string;
  @ApiPropertyOptional({ enum: ['open', 'suspended'] }) @IsOptional() @IsIn(['open', 'suspended']) status?: 'open' | 'suspended';
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @ApiPropertyOptional({ format: 'uuid', description: 'nextCursor of the previous page' }) @IsOptional() @IsUUID() cursor?: string;
}

export class CaseloadItem {
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty() territory!: string;
  @ApiProperty({ enum: ['open', 'suspended'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) parcoursType!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organismeReferentId!: string | null;
  @ApiProperty({ type: 'object', nullable: true, properties: { userId: { type: 'string' }, partnerId: { type: 'string' }, since: { type: 'string' } } })
  referent!: CaseloadDoc['referent'];
  @ApiProperty({ format: 'date' }) entryOn!: string;
  @ApiProperty({ type: String, format: 'date', nullable: true }) lastContactOn!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) engagementContractEndsOn!: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: 'Restriction of processing in force since (RGPD art. 18): the data are kept, but nothing can be recorded nor shared until it is lifted',
  })
  restrictedSince!: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: "Opposition granted since (RGPD art. 21): recording goes on, the record being shared only with the organisme référent and the référent's organisation",
  })
  opposedSince!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'When a continuity rule would next fire if nothing happens' })
  nextDeadlineOn!: string | null;
  @ApiProperty({ description: 'Ruptures open now (warnings and breaches)' }) openAlerts!: number;
  @ApiProperty({ description: 'Breaches open now' }) openBreaches!: number;
}

export class CaseloadPage {
  @ApiProperty({ type: [CaseloadItem] }) items!: CaseloadItem[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) nextCursor!: string | null;
}

/**
 * `caseload` — the open parcours the caller's organisation has in hand (a coordinator: its territory).
 * An archived parcours is in no caseload; one under a restriction or an opposition says so and since when.
 */
@ApiController('parcours', 'v1/caseload')
export class CaseloadController {
  constructor(
    @Inject(CaseloadQueries) private readonly caseloads: CaseloadQueries,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  @Get()
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Open parcours of my organisation (or of one référent), with their stage — from the caseload read model' })
  @ApiOkResponse({ type: CaseloadPage })
  async caseload(@Query() query: CaseloadQuery, @Req() request: FastifyRequest & AuthenticatedRequest): Promise<CaseloadPage> {
    const reader = readerOf(request);
    const referent = query.referent === 'me' ? (reader.principal.userId ?? null) : (query.referent ?? null);
    const { items, nextCursor } = await this.caseloads.inHand(reader.caller, { status: query.status, referentUserId: referent, after: query.cursor, limit: query.limit ?? 100 });
    await Promise.all(items.map((item) => this.journal.record(entryFor(reader, 'caseload.list', item.parcoursId, 'ok'))));
    return { items, nextCursor };
  }
}
