import { type BeforeApplicationShutdown, Controller, Get, Headers, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SqlClient, prepared } from '../../../database/sql-client.js';
import { type AllCursor, EventStore, START, decodeCursor, encodeCursor } from '../../../event-store/event-store.js';
import { Roles } from '../../../partners/auth/access.decorators.js';
import type { AuthenticatedRequest } from '../../../partners/auth/principal.js';
import { AccessJournal } from '../../../privacy/access-journal/access-journal.js';
import { type Reader, entryFor, readerOf } from '../parcours-details/parcours-details.query.js';

const CURSOR = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,15})$/;

export class FeedQuery {
  @ApiPropertyOptional({ pattern: CURSOR.source, description: 'The cursor of the last item already processed (acknowledged); omitted: from the start' })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor given by this feed' })
  after?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class FeedItem {
  @ApiProperty({ description: 'Pass it as `after` once this item is processed' }) cursor!: string;
  @ApiProperty({ format: 'uuid' }) parcoursId!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Only the fields your kind of organisation may know' }) data!: object;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
}

export class FeedPage {
  @ApiProperty({ type: [FeedItem] }) items!: FeedItem[];
  @ApiProperty({ description: 'Where to continue (equal to `after` when nothing new)' }) nextCursor!: string;
}

interface FeedRow {
  transaction_id: string;
  global_position: number;
  parcours_id: string;
  event_id: string;
  type: string;
  data: object;
  recorded_at: Date;
}

const PAGE = prepared(`SELECT transaction_id::text AS transaction_id, global_position, parcours_id, event_id, type, data, recorded_at
                         FROM partner_feed
                        WHERE partner_id = $1 AND (transaction_id, global_position) > ($2::text::xid8, $3::bigint)
                        ORDER BY transaction_id, global_position LIMIT $4`);

/**
 * `partner_feed` — the events of the parcours an organisation follows, minimised to what its kind
 * may know. A partner system pages with `after` (its acknowledged cursor) or keeps a Server-Sent
 * Events stream open; leaving a follow-up group ends that parcours' events in the feed.
 */
@ApiTags('partner feed')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('v1/feed')
export class PartnerFeedController implements BeforeApplicationShutdown {
  /** The open streams, to end at shutdown: a server does not finish closing while a client holds one. */
  private readonly streams = new Set<{ end: () => void; ended: Promise<void> }>();

  constructor(
    @Inject(SqlClient) private readonly db: SqlClient,
    @Inject(EventStore) private readonly store: EventStore,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
  ) {}

  @Get()
  @Roles('referent', 'orientation_manager', 'coordinator', 'partner_admin')
  @ApiOperation({ summary: "A page of my organisation's feed, after a cursor" })
  @ApiOkResponse({ type: FeedPage })
  async page(@Query() query: FeedQuery, @Req() request: FastifyRequest & AuthenticatedRequest): Promise<FeedPage> {
    const after = query.after ? decodeCursor(query.after) : START;
    const reader = readerOf(request);
    const items = await this.read(reader, after, query.limit ?? 100);
    return { items, nextCursor: items.at(-1)?.cursor ?? encodeCursor(after) };
  }

  @Get('stream')
  @Roles('referent', 'orientation_manager', 'coordinator', 'partner_admin')
  @ApiOperation({ summary: 'The same feed as Server-Sent Events (resumes from Last-Event-ID or `after`)' })
  @ApiProduces('text/event-stream')
  async stream(
    @Query() query: FeedQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const resumeFrom = lastEventId && CURSOR.test(lastEventId) ? lastEventId : query.after;
    let cursor: AllCursor = resumeFrom ? decodeCursor(resumeFrom) : START;
    const reader = readerOf(request);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-correlation-id': reader.correlationId,
    });
    let open = true;
    let wake: (() => void) | undefined;
    const unsubscribe = this.store.onAppended(() => wake?.());
    const end = () => {
      open = false;
      wake?.();
    };
    // The response's close, not the request's: the latter may come as soon as the request is read.
    raw.on('close', end);
    let ended!: () => void;
    const stream = { end, ended: new Promise<void>((resolve) => (ended = resolve)) };
    this.streams.add(stream);
    try {
      while (open) {
        const items = await this.read(reader, cursor, 200);
        for (const item of items) raw.write(`id: ${item.cursor}\nevent: ${item.type}\ndata: ${JSON.stringify(item)}\n\n`);
        if (items.length) cursor = decodeCursor(items.at(-1)!.cursor);
        if (items.length === 200 || !open) continue;
        // The feed is written by the projection shortly after each append: wait for one, or 15 s.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 15_000);
          wake = () => {
            clearTimeout(timer);
            setTimeout(resolve, 100);
          };
        });
        wake = undefined;
        if (open) raw.write(': keep-alive\n\n');
      }
    } finally {
      this.streams.delete(stream);
      unsubscribe();
      raw.end();
      ended();
    }
  }

  /**
   * Ends every stream, and waits for them, before the server closes its connections. A client
   * reconnects with Last-Event-ID to another instance, or to this one once restarted.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const open = [...this.streams];
    for (const stream of open) stream.end();
    await Promise.all(open.map((stream) => stream.ended));
  }

  private async read(reader: Reader, after: AllCursor, limit: number): Promise<FeedItem[]> {
    const rows = await this.db.query<FeedRow>(PAGE, [reader.principal.partnerId, after.transactionId, after.position, limit]);
    const items = rows.map((row) => ({
      cursor: encodeCursor({ transactionId: row.transaction_id, position: row.global_position }),
      parcoursId: row.parcours_id,
      eventId: row.event_id,
      type: row.type,
      data: row.data,
      recordedAt: row.recorded_at.toISOString(),
    }));
    // What the organisation learnt about each parcours is journaled, one entry per parcours and page.
    await Promise.all([...new Set(items.map((item) => item.parcoursId))].map((id) => this.journal.record(entryFor(reader, 'feed.read', id, 'ok'))));
    return items;
  }
}
