import { Get, Headers, Inject, Param, ParseUUIDPipe, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUDITORS } from '../access/functions.js';
import { Clock } from '../kernel/clock.js';
import { IsCalendarDate } from '../http/calendar-date.js';
import { ProblemError } from '../http/problem.js';
import { Roles } from '../access/access.decorators.js';
import type { AuthenticatedRequest } from '../access/principal.js';
import { type Reader, entryFor, readerOf } from '../parcours/read-models/parcours-details/parcours-details.query.js';
import { AccessJournal } from '../access-journal/access-journal.js';
import { wantsCsv } from '../kernel/csv.js';
import { Audit, ParcoursUnknownError } from './audit.js';
import type { Replay } from './replay.js';
import { timelineCsvText } from './timeline/timeline-csv.js';
import { timelineToHtml } from './timeline/timeline-html.js';
import type { Timeline } from './timeline/timeline.js';
import { ApiRepresentations } from '../http/representations.js';
import { ApiController } from '../http/api-controller.js';


export class ReplayQuery {
  @ApiProperty({ format: 'date' }) @IsCalendarDate() asOf!: string;
  @ApiPropertyOptional({ description: 'true: as the system knew it (recording time); false (default): as the facts were (business dates)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  asKnown?: boolean;
}

export class TimelineQuery {
  @ApiPropertyOptional({ format: 'date', description: 'Ruptures as of this date (default: today)' }) @IsOptional() @IsCalendarDate() asOf?: string;
}

export class ReplayResponse {
  @ApiProperty({ format: 'date' }) asOf!: string;
  @ApiProperty({ enum: ['facts', 'known'] }) mode!: string;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The parcours state at that date, without identity' }) state!: object | null;
  @ApiProperty() version!: number;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty() eventsAfter!: number;
}

export class TimelineSpanResponse {
  @ApiProperty({ format: 'date' }) start!: string;
  @ApiProperty({ format: 'date' }) end!: string;
}

export class TimelineMarkerResponse {
  @ApiProperty({ format: 'date' }) on!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() label!: string;
  @ApiProperty({ enum: ['decision', 'followUp'] }) group!: string;
  @ApiProperty({ enum: ['normal', 'alert', 'muted'], description: '`alert` for a missed appointment or an abandoned action, `muted` for what did not take place' }) tone!: string;
}

export class TimelineResponse {
  @ApiProperty({ type: String, nullable: true }) streamId!: string | null;
  @ApiProperty({ type: TimelineSpanResponse, nullable: true, description: 'First and last day to draw; null for an empty history' }) span!: TimelineSpanResponse | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } }) entries!: object[];
  @ApiProperty({ type: [TimelineMarkerResponse] }) markers!: TimelineMarkerResponse[];
  @ApiProperty({ type: 'object', additionalProperties: true }) lanes!: object;
}

export class ChainBreakResponse {
  @ApiProperty() streamId!: string;
  @ApiProperty({ enum: ['changed', 'missing', 'reordered', 'truncated'] }) kind!: string;
  @ApiProperty({ description: 'First version concerned (a missing range, the versions moved, the changed event)' }) firstVersion!: number;
  @ApiProperty({ description: 'Last version concerned, included' }) lastVersion!: number;
  @ApiProperty({ description: 'The stored row where the break shows (for a deletion: the first row after the gap)' }) streamVersion!: number;
  @ApiProperty({ description: "The row's event id; empty for a truncation" }) eventId!: string;
  @ApiProperty() globalPosition!: number;
  @ApiProperty() detail!: string;
}

export class VerifyResponse {
  @ApiProperty() streams!: number;
  @ApiProperty() events!: number;
  @ApiProperty({ description: 'Tamperings found: one per break (a swap of two events is one, a deleted run of events is one)' }) tamperings!: number;
  @ApiProperty({ type: [ChainBreakResponse], description: 'One break per tampering' }) breaks!: ChainBreakResponse[];
}

/** Read-only audit API for auditors (DESIGN §1): every call is journaled. */
@ApiController('audit', 'v1/audit/parcours')
export class AuditController {
  constructor(
    @Inject(Audit) private readonly audit: Audit,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get(':parcoursId/state')
  @Roles(...AUDITORS)
  @ApiOperation({ summary: 'The state of a parcours as it stood at a date: as the facts were, or as the system knew them' })
  @ApiOkResponse({ type: ReplayResponse })
  state(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Query() query: ReplayQuery, @Req() request: FastifyRequest & AuthenticatedRequest): Promise<Replay> {
    return this.journaled(readerOf(request), 'audit.replay', parcoursId, () => this.audit.replay(parcoursId, query.asOf, query.asKnown ? 'known' : 'facts'));
  }

  @Get(':parcoursId/timeline')
  @Roles(...AUDITORS)
  @ApiOperation({ summary: 'The history of a parcours, with event ids and hashes and its ruptures (JSON, CSV, or an HTML page with Accept: text/html)' })
  @ApiRepresentations(TimelineResponse, { csv: 'one line per event', html: 'the history and its ruptures' })
  async timeline(
    @Param('parcoursId', new ParseUUIDPipe()) parcoursId: string,
    @Query() query: TimelineQuery,
    @Headers('accept') accept: string | undefined,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Timeline | string> {
    const timeline = await this.journaled(readerOf(request), 'audit.timeline', parcoursId, () => this.audit.timeline(parcoursId, query.asOf ?? this.clock.today()));
    if (wantsCsv(accept)) {
      void reply.header('content-type', 'text/csv; charset=utf-8');
      return timelineCsvText(timeline);
    }
    if (accept?.split(',')[0]?.trim().startsWith('text/html')) {
      void reply.header('content-type', 'text/html; charset=utf-8');
      return timelineToHtml(timeline, { title: `Parcours ${parcoursId}`, generatedAt: this.clock.now().toISOString(), policyVersion: this.audit.policyVersion });
    }
    return timeline;
  }

  @Get(':parcoursId/verify')
  @Roles(...AUDITORS)
  @ApiOperation({ summary: "Recompute the parcours' hash chain and report every break" })
  @ApiOkResponse({ type: VerifyResponse })
  verify(@Param('parcoursId', new ParseUUIDPipe()) parcoursId: string, @Req() request: FastifyRequest & AuthenticatedRequest) {
    return this.journaled(readerOf(request), 'audit.verify', parcoursId, async () => {
      const report = await this.audit.verify({ streamId: `parcours-${parcoursId}` });
      // No event and nothing recorded of any: unknown. A stream deleted whole is reported, not hidden behind a 404.
      if (report.events === 0 && report.breaks.length === 0) throw new ParcoursUnknownError(parcoursId);
      return report;
    });
  }

  private async journaled<T>(reader: Reader, operation: string, parcoursId: string, work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      await this.journal.record(entryFor(reader, operation, parcoursId, 'ok'));
      return result;
    } catch (error) {
      if (error instanceof ParcoursUnknownError) {
        await this.journal.record(entryFor(reader, operation, parcoursId, 'not_found'));
        throw new ProblemError(404, 'not_found', 'Not found', 'no such parcours');
      }
      if (error instanceof RangeError) throw new ProblemError(400, 'invalid_date', 'The date is not valid', error.message);
      throw error;
    }
  }
}
