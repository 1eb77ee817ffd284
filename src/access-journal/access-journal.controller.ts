import { Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { ACCESS_JOURNAL_READERS } from '../access/functions.js';
import { IsTimestamp } from '../http/calendar-date.js';
import { Roles } from '../access/access.decorators.js';
import { MEMBER_ID_PATTERN } from '../access/member-id.js';
import { IsMemberId } from '../http/member-id.js';
import { AccessJournalQueries } from './access-journal.query.js';
import { ApiController } from '../http/api-controller.js';

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

@ApiController('access journal', 'v1/access-journal')
export class AccessJournalController {
  constructor(@Inject(AccessJournalQueries) private readonly journal: AccessJournalQueries) {}

  @Get()
  @Roles(...ACCESS_JOURNAL_READERS)
  @ApiOperation({ summary: 'Who accessed which beneficiary record, when, how (by record, user, organisation, period)' })
  @ApiOkResponse({ type: JournalPageResponse })
  search(@Query() query: AccessJournalQuery): Promise<JournalPageResponse> {
    return this.journal.entries({
      recordId: query.recordId,
      userId: query.userId,
      partnerId: query.partnerId,
      from: query.from,
      to: query.to,
      after: query.cursor,
      limit: query.limit ?? 100,
    });
  }
}
