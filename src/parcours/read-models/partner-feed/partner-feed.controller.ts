import type { OutgoingHttpHeaders } from 'node:http';
import { type BeforeApplicationShutdown, Get, Headers, Inject, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../../config/app-config.js';
import { callerOf } from '../../../access/caller.js';
import { FEED_READERS } from '../../../access/functions.js';
import { type AllCursor, START, decodeCursor, encodeCursor } from '../../../event-store/event-store.js';
import { ProblemError, toProblem } from '../../../http/problem.js';
import { Roles } from '../../../access/access.decorators.js';
import { actingRoles } from '../../../partners/auth/access.guard.js';
import type { AuthenticatedRequest } from '../../../access/principal.js';
import { NotAMemberError, PrincipalResolver } from '../../../partners/auth/principal-resolver.js';
import { AccessJournal } from '../../../access-journal/access-journal.js';
import { type Reader, entryFor, readerOf } from '../parcours-details/parcours-details.query.js';
import { FeedHub } from './feed-hub.js';
import { FeedStreamSlots } from './feed-stream-slots.js';
import { ApiController } from '../../../http/api-controller.js';

const CURSOR = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,15})$/;

/** Who may read the feed: the endpoints' @Roles, and what an open stream checks again. */

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

/**
 * `partner_feed` — the events of the parcours an organisation follows, minimised to what its kind
 * may know. A partner system pages with `after` (its acknowledged cursor) or keeps a Server-Sent
 * Events stream open; leaving a follow-up group ends that parcours' events in the feed.
 */
@ApiController('partner feed', 'v1/feed')
export class PartnerFeedController implements BeforeApplicationShutdown {
  private readonly logger = new Logger('PartnerFeed');
  /** The open streams, to end at shutdown: a server does not finish closing while a client holds one. */
  private readonly streams = new Set<{ end: () => void; ended: Promise<void> }>();
  private readonly slots: FeedStreamSlots;
  private readonly recheckMs: number;
  private readonly keepAliveMs: number;
  /** Set once shutdown has ended the open streams: a stream whose request was still being authenticated then is refused. */
  private closing = false;

  constructor(
    @Inject(FeedHub) private readonly hub: FeedHub,
    @Inject(AccessJournal) private readonly journal: AccessJournal,
    @Inject(PrincipalResolver) private readonly principals: PrincipalResolver,
    @Inject(AppConfig) config: AppConfig,
  ) {
    this.slots = new FeedStreamSlots(config.feedMaxStreamsPerPartner, config.feedMaxStreamsPerCaller);
    this.recheckMs = config.feedRecheckSeconds * 1000;
    this.keepAliveMs = config.feedKeepAliveSeconds * 1000;
  }

  @Get()
  @Roles(...FEED_READERS)
  @ApiOperation({ summary: "A page of my organisation's feed, after a cursor" })
  @ApiOkResponse({ type: FeedPage })
  async page(@Query() query: FeedQuery, @Req() request: FastifyRequest & AuthenticatedRequest): Promise<FeedPage> {
    const after = query.after ? decodeCursor(query.after) : START;
    const reader = readerOf(request);
    const items = await this.read(reader, after, query.limit ?? 100);
    return { items, nextCursor: items.at(-1)?.cursor ?? encodeCursor(after) };
  }

  @Get('stream')
  @Roles(...FEED_READERS)
  @ApiOperation({
    summary: 'The same feed as Server-Sent Events (resumes from Last-Event-ID or `after`)',
    description:
      'The caller is checked again every few seconds and when its token or key expires: once it may no longer read the feed ' +
      '(credential revoked or expired, member removed, organisation deactivated, roles changed), the stream ends with an ' +
      '`event: revoked` whose data is a problem (RFC 9457). Open streams are capped per organisation and per caller (429).',
  })
  @ApiOkResponse({
    description:
      "Server-Sent Events: `id:` the cursor to resume from, `event:` the feed item's type, `data:` the feed item (JSON, as in GET /v1/feed); " +
      'the last event, `revoked` or another reason, carries a problem (RFC 9457)',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async stream(
    @Query() query: FeedQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: FastifyRequest & AuthenticatedRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Nobody would end it, and the server would wait for it for ever.
    if (this.closing) throw new ProblemError(503, 'shutting_down', 'The service is stopping', 'reconnect in a moment', { retryAfterSeconds: 1 });
    const resumeFrom = lastEventId && CURSOR.test(lastEventId) ? lastEventId : query.after;
    let cursor: AllCursor = resumeFrom ? decodeCursor(resumeFrom) : START;
    let reader = readerOf(request);
    const authorization = request.headers.authorization;
    // Before the answer starts: a 429 is still a problem answer.
    const release = this.slots.take(reader.principal);
    let open = true;
    /** Ends the stream's wait for the feed's next commit. */
    const waiting: { onAbort?: () => void } = {};
    /** Why the caller may no longer read the feed, once it may not. */
    let refusal: unknown;
    let recheckTimer: NodeJS.Timeout | undefined;
    let ended!: () => void;
    const end = () => {
      open = false;
      waiting.onAbort?.();
    };
    const stream = { end, ended: new Promise<void>((resolve) => (ended = resolve)) };
    this.streams.add(stream);
    const raw = reply.raw;
    /**
     * The stream's access, asked again as the guard asked it when the stream opened; false (and the
     * stream ends) once refused. `fresh`: past the principal cache, which may be behind a revocation
     * made on another instance.
     */
    const stillAllowed = async (fresh = false): Promise<boolean> => {
      try {
        reader = { ...reader, ...(await this.recheck(authorization, reader, fresh)) };
        return true;
      } catch (error) {
        if (open) {
          refusal ??= error;
          end();
        }
        return false;
      }
    };
    // Every few seconds from the database, and when the credential expires, even when no event wakes the stream.
    const scheduleRecheck = () => {
      const untilExpiry = (reader.principal.credentialExpiresAtMs ?? Infinity) - Date.now();
      recheckTimer = setTimeout(() => void stillAllowed(true).then(() => open && scheduleRecheck()), Math.max(10, Math.min(this.recheckMs, untilExpiry)));
    };
    try {
      reply.hijack();
      raw.writeHead(200, {
        // What the hooks set on the reply (the security headers), which a hijacked reply does not write.
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-correlation-id': reader.correlationId,
      });
      // Now, not with the first event: a client whose feed is quiet knows its stream is open.
      raw.flushHeaders();
      // The response's close, not the request's: the latter may come as soon as the request is read.
      raw.on('close', end);
      // A client that left while it was being authenticated closed before anyone listened.
      if (raw.destroyed || raw.socket?.destroyed !== false) end();
      scheduleRecheck();
      while (open) {
        // Before each read too, through the principal cache (cheap, and emptied at once by a revocation
        // on this instance): nothing appended after a revocation is sent.
        if (!(await stillAllowed())) break;
        // Taken before the read: a commit that lands between the read and the wait is not missed.
        const mark = this.hub.mark(reader.principal.partnerId);
        const items = await this.read(reader, cursor, 200);
        if (!open) break;
        for (const item of items) raw.write(`id: ${item.cursor}\nevent: ${item.type}\ndata: ${JSON.stringify(item)}\n\n`);
        if (items.length) cursor = decodeCursor(items.at(-1)!.cursor);
        if (items.length === 200) continue;
        // Until the feed projection commits rows for this organisation (or the keep-alive is due).
        const woken = await this.hub.wait(reader.principal.partnerId, mark, this.keepAliveMs, waiting);
        if (open && !woken) raw.write(': keep-alive\n\n');
      }
      if (refusal !== undefined && !raw.destroyed) raw.write(this.endEvent(refusal, request));
    } finally {
      // Also when a read failed: no re-check may be scheduled after this.
      open = false;
      clearTimeout(recheckTimer);
      this.streams.delete(stream);
      release();
      raw.end();
      ended();
    }
  }

  /**
   * Ends every stream, and waits for them, before the server closes its connections. A client
   * reconnects with Last-Event-ID to another instance, or to this one once restarted.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const open = [...this.streams];
    for (const stream of open) stream.end();
    await Promise.all(open.map((stream) => stream.ended));
  }

  /**
   * The caller behind the stream's credential now, if it may still read this organisation's feed:
   * the same resolution as every request (past its cache when `fresh`), the same role rule as the guard.
   */
  private async recheck(authorization: string | undefined, reader: Reader, fresh: boolean): Promise<Pick<Reader, 'principal' | 'actingRole' | 'caller'>> {
    const principal = await this.principals.resolve(authorization, fresh ? 0 : undefined);
    // The feed read is the organisation's at the opening: a person who moved to another one ends it.
    if (principal.partnerId !== reader.principal.partnerId) throw new NotAMemberError('this identity is no longer a member of the organisation whose feed this is');
    const acting = actingRoles(principal, FEED_READERS);
    return { principal, actingRole: acting[0], caller: callerOf(principal, acting) };
  }

  /** The stream's last event: why it ends, as the problem a new request would get (no personal data: codes and fixed texts). */
  private endEvent(refusal: unknown, request: FastifyRequest): string {
    const { problem } = toProblem(refusal, request, this.logger);
    const event = problem.status === 401 || problem.status === 403 ? 'revoked' : 'unavailable';
    this.logger.log({ msg: `feed stream ended: ${event}`, code: problem.code, correlationId: problem.correlationId });
    return `event: ${event}\ndata: ${JSON.stringify(problem)}\n\n`;
  }

  private async read(reader: Reader, after: AllCursor, limit: number): Promise<FeedItem[]> {
    const rows = await this.hub.page(reader.principal.partnerId, after, limit);
    const items = rows.map((row) => ({
      cursor: encodeCursor({ transactionId: row.transaction_id, position: row.global_position }),
      parcoursId: row.parcours_id,
      eventId: row.event_id,
      type: row.type,
      data: row.data,
      recordedAt: row.recorded_at.toISOString(),
    }));
    // What the caller learnt is journaled before it is sent: one entry per page served, naming the
    // parcours it carried (the CNIL's "who saw which record, when"), not one per parcours and page.
    // The same statement moves the organisation's feed position (GET /v1/partners/{id}/feed-status).
    if (items.length) {
      const last = rows.at(-1)!;
      await this.journal.record({
        ...entryFor(reader, 'feed.read', `${items[0]!.cursor}..${items.at(-1)!.cursor}`, 'ok'),
        recordType: 'feed_page',
        recordIds: [...new Set(items.map((item) => item.parcoursId))],
        feedServed: { partnerId: reader.principal.partnerId, transactionId: last.transaction_id, position: last.global_position },
      });
    }
    return items;
  }
}
