import { Get, Inject, Param, ParseUUIDPipe, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf } from '../access/caller.js';
import { ORGANISATION_ADMINS } from '../access/functions.js';
import { managesOrganisation } from '../access/grant-rules.js';
import { Clock } from '../kernel/clock.js';
import { decodeCursor } from '../event-store/event-store.js';
import { ProblemError } from '../http/problem.js';
import { FeedPositionsQuery } from '../parcours/read-models/partner-feed/feed-positions.js';
import { Roles } from '../access/access.decorators.js';
import type { AuthenticatedRequest } from '../access/principal.js';
import { WebhookEndpoints } from './webhook-endpoints.js';
import { ApiController } from '../http/api-controller.js';

type Request = FastifyRequest & AuthenticatedRequest;

export class FeedReadersStatus {
  @ApiProperty({ type: String, nullable: true, description: 'The cursor of the furthest item served by GET /v1/feed or /v1/feed/stream; null: no page served yet' })
  servedCursor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When that item was first served' }) servedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the last page holding items was served (also a page read again from an older cursor)' })
  lastReadAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds from lastReadAt to this answer' }) secondsSinceLastRead!: number | null;
  @ApiProperty({ description: 'Pages holding items served so far' }) pagesServed!: number;
  @ApiProperty({ description: 'Items of the feed after servedCursor (all of them when nothing was served)' }) pendingEvents!: number;
}

export class FeedStatusWebhook {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ['active', 'retrying', 'dead', 'stopped'] }) state!: string;
  @ApiProperty({ description: 'The feed cursor of the last item the endpoint acknowledged' }) cursor!: string;
  @ApiProperty({ description: 'Items of the feed after that cursor' }) pendingEvents!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSuccessAt!: string | null;
}

export class FeedStatusResponse {
  @ApiProperty({ format: 'uuid' }) partnerId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The cursor of the last item the feed holds for the organisation; null: the feed is empty' })
  headCursor!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the event of that item was recorded' }) headRecordedAt!: string | null;
  @ApiProperty({ type: FeedReadersStatus }) readers!: FeedReadersStatus;
  @ApiProperty({ type: [FeedStatusWebhook] }) webhooks!: FeedStatusWebhook[];
}

/**
 * Where an organisation's feed stands for those who consume it: its last item, how far its readers
 * (the paged GET and the stream) were served and when, and each webhook endpoint's cursor, each with
 * the items still to come. Here rather than beside the feed because it reports on the webhook
 * endpoints too. For the organisation's administrator (and a platform administrator); another
 * organisation's answers 404, like one that does not exist. No personal data: cursors, counts, times.
 */
@ApiController('partner feed', 'v1/partners/:partnerId/feed-status')
export class FeedStatusController {
  constructor(
    @Inject(FeedPositionsQuery) private readonly positions: FeedPositionsQuery,
    @Inject(WebhookEndpoints) private readonly endpoints: WebhookEndpoints,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  @Get()
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: "Where the organisation's feed stands: its last item, how far its readers and webhook endpoints are, what they have not had yet" })
  @ApiOkResponse({ type: FeedStatusResponse })
  async status(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Req() request: Request): Promise<FeedStatusResponse> {
    if (!managesOrganisation(callerOf(request.principal!, request.actingRoles ?? []), partnerId)) throw notFound();
    if (!(await this.endpoints.partnerExists(partnerId))) throw notFound();
    const endpoints = await this.endpoints.list(partnerId);
    const positions = await this.positions.of(
      partnerId,
      endpoints.map((endpoint) => decodeCursor(endpoint.delivery.cursor)),
    );
    const now = this.clock.now().getTime();
    const served = positions.served;
    return {
      partnerId,
      headCursor: positions.head?.cursor ?? null,
      headRecordedAt: positions.head?.recordedAt.toISOString() ?? null,
      readers: {
        servedCursor: served?.cursor ?? null,
        servedAt: served?.at.toISOString() ?? null,
        lastReadAt: served?.lastReadAt.toISOString() ?? null,
        secondsSinceLastRead: served ? Math.max(0, Math.floor((now - served.lastReadAt.getTime()) / 1000)) : null,
        pagesServed: served?.pagesServed ?? 0,
        pendingEvents: positions.pending,
      },
      webhooks: endpoints.map((endpoint, index) => ({
        id: endpoint.id,
        url: endpoint.url,
        description: endpoint.description,
        state: endpoint.delivery.state,
        cursor: endpoint.delivery.cursor,
        pendingEvents: positions.pendingAfterOthers[index] ?? 0,
        lastSuccessAt: endpoint.delivery.lastSuccessAt,
      })),
    };
  }
}

function notFound(): ProblemError {
  return new ProblemError(404, 'not_found', 'Not found', 'no such organisation');
}
