import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ACCESS_JOURNAL_READERS } from '../access/functions.js';
import { SqlClient } from '../database/sql-client.js';
import { IsTimestamp } from '../http/calendar-date.js';
import { Roles } from '../access/access.decorators.js';
import { MEMBER_ID_PATTERN } from '../access/member-id.js';
import { IsMemberId } from '../http/member-id.js';

export class AccessJournalQuery {
  @ApiPropertyOptional({ description: 'The record (e.g. a parcours id)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  recordId?: string;

  @ApiPropertyOptional({ description: 'The acting user (`sub`)', pattern: MEMBER_ID_PATTERN.source })
  @IsOptional()
  @IsMemberId()
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'RFC 3339, or a date (midnight)' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive; RFC 3339, or a date (midnight)' })
  @IsOptional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page', minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  // Entry ids are bigints read as JS numbers: anything larger is no cursor this service gave.
  @Max(Number.MAX_SAFE_INTEGER)
  cursor?: number;
}

export class JournalEntryResponse {
  @ApiProperty() entryId!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: String, nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, nullable: true }) apiKeyId!: string | null;
  @ApiProperty({ type: String, nullable: true }) partnerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) role!: string | null;
  @ApiProperty() operation!: string;
  @ApiProperty() recordType!: string;
  @ApiProperty({ description: 'The record; for a `feed_page`, the cursor range of the page' }) recordId!: string;
  @ApiProperty({ type: [String], nullable: true, description: 'The parcours a `feed_page` carried (one entry per page served, not per parcours)' })
  recordIds!: string[] | null;
  @ApiProperty() outcome!: string;
  @ApiProperty() correlationId!: string;
}

export class JournalPageResponse {
  @ApiProperty({ type: [JournalEntryResponse] }) items!: JournalEntryResponse[];
  @ApiProperty({ type: Number, nullable: true }) nextCursor!: number | null;
}

interface Row {
  entry_id: number;
  at: Date;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  actor_partner_id: string | null;
  actor_role: string | null;
  operation: string;
  record_type: string;
  record_id: string;
  record_ids: string[] | null;
  outcome: string;
  correlation_id: string;
}

@ApiTags('access journal')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('v1/access-journal')
export class AccessJournalController {
  constructor(@Inject(SqlClient) private readonly db: SqlClient) {}

  @Get()
  @Roles(...ACCESS_JOURNAL_READERS)
  @ApiOperation({ summary: 'Who accessed which beneficiary record, when, how (by record, user, organisation, period)' })
  @ApiOkResponse({ type: JournalPageResponse })
  async search(@Query() query: AccessJournalQuery): Promise<JournalPageResponse> {
    const limit = query.limit ?? 100;
    const rows = await this.db.query<Row>(
      `SELECT entry_id, at, actor_user_id, actor_api_key_id, actor_partner_id, actor_role, operation, record_type, record_id, record_ids, outcome, correlation_id
         FROM access_journal
        WHERE ($1::text IS NULL OR record_id = $1 OR record_ids @> ARRAY[$1::text])
          AND ($2::text IS NULL OR actor_user_id = $2)
          AND ($3::uuid IS NULL OR actor_partner_id = $3)
          AND ($4::timestamptz IS NULL OR at >= $4)
          AND ($5::timestamptz IS NULL OR at < $5)
          AND entry_id > $6
        ORDER BY entry_id LIMIT $7`,
      [query.recordId ?? null, query.userId ?? null, query.partnerId ?? null, query.from ?? null, query.to ?? null, query.cursor ?? 0, limit],
    );
    const items = rows.map((row) => ({
      entryId: row.entry_id,
      at: row.at.toISOString(),
      userId: row.actor_user_id,
      apiKeyId: row.actor_api_key_id,
      partnerId: row.actor_partner_id,
      role: row.actor_role,
      operation: row.operation,
      recordType: row.record_type,
      recordId: row.record_id,
      recordIds: row.record_ids,
      outcome: row.outcome,
      correlationId: row.correlation_id,
    }));
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.entryId : null };
  }
}
