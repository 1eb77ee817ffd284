import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { CASEWORKERS } from '../../../access/functions.js';
import { parcoursCondition } from '../../../access/parcours-rule.js';
import { SqlClient } from '../../../database/sql-client.js';
import { Roles } from '../../../access/access.decorators.js';
import type { AuthenticatedRequest } from '../../../access/principal.js';
import { MEMBER_ID_PATTERN } from '../../../access/member-id.js';
import { IsMemberId } from '../../../http/member-id.js';
import { AccessJournal } from '../../../access-journal/access-journal.js';
import { entryFor, readerOf } from '../parcours-details/parcours-details.query.js';
import type { CaseloadDoc } from './caseload.projection.js';

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
@ApiTags('parcours')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('v1/caseload')
export class CaseloadController {
  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  @Get()
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Open parcours of my organisation (or of one référent), with their stage — from the caseload read model' })
  @ApiOkResponse({ type: CaseloadPage })
  async caseload(@Query() query: CaseloadQuery, @Req() request: FastifyRequest & AuthenticatedRequest): Promise<CaseloadPage> {
    const reader = readerOf(request);
    const principal = reader.principal;
    const limit = query.limit ?? 100;
    const referent = query.referent === 'me' ? (principal.userId ?? null) : (query.referent ?? null);
    // Who sees which parcours is the parcours rule's, on the inline read model (current even when
    // this projection lags). The continuity read model adds what needs doing: the next deadline and
    // the ruptures open now.
    const visible = parcoursCondition(reader.caller, 'read', 5);
    const rows = await this.db.query<{ key: string; doc: CaseloadDoc; next_deadline_on: Date | string | null; open_alerts: number; open_breaches: number }>(
      `SELECT c.key, c.doc, cp.next_reevaluation_on::text AS next_deadline_on,
              coalesce(a.open_alerts, 0)::int AS open_alerts, coalesce(a.open_breaches, 0)::int AS open_breaches
         FROM caseload c
         JOIN parcours_details d ON d.parcours_id = c.key::uuid
         LEFT JOIN continuity_parcours cp ON cp.parcours_id = c.key::uuid
         LEFT JOIN LATERAL (
           SELECT count(*) AS open_alerts, count(*) FILTER (WHERE severity = 'breach') AS open_breaches
             FROM continuity_alerts WHERE parcours_id = c.key::uuid AND status = 'open'
         ) a ON true
        WHERE doc ->> 'status' IN ('open', 'suspended')
          AND ($1::text IS NULL OR doc ->> 'status' = $1)
          AND ($2::text IS NULL OR doc -> 'referent' ->> 'userId' = $2)
          AND ($3::text IS NULL OR c.key > $3)
          AND ${visible.sql}
        ORDER BY c.key LIMIT $4`,
      [query.status ?? null, referent, query.cursor ?? null, limit, ...visible.params],
    );
    const items = rows.map(({ doc, next_deadline_on, open_alerts, open_breaches }) => ({
      parcoursId: doc.parcoursId,
      territory: doc.territory,
      status: doc.status,
      parcoursType: doc.parcoursType,
      organismeReferentId: doc.organismeReferentId,
      referent: doc.referent,
      entryOn: doc.entryOn,
      lastContactOn: doc.lastContactOn,
      engagementContractEndsOn: doc.engagementContractEndsOn,
      restrictedSince: doc.restrictedSince ?? null,
      opposedSince: doc.opposedSince ?? null,
      nextDeadlineOn: next_deadline_on === null ? null : String(next_deadline_on),
      openAlerts: open_alerts,
      openBreaches: open_breaches,
    }));
    await Promise.all(items.map((item) => this.journal.record(entryFor(reader, 'caseload.list', item.parcoursId, 'ok'))));
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.parcoursId : null };
  }
}
