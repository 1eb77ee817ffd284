import { Body, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../access/caller.js';
import { WEBHOOK_MANAGERS } from '../access/functions.js';
import { managesWebhooks } from '../access/grant-rules.js';
import { AppConfig } from '../config/app-config.js';
import { decodeCursor } from '../event-store/event-store.js';
import { ProblemError } from '../http/problem.js';
import { Roles } from '../access/access.decorators.js';
import type { AuthenticatedRequest } from '../access/principal.js';
import { type EndpointView, TooManyEndpointsError, WebhookEndpoints, MAX_ENDPOINTS_PER_PARTNER } from './webhook-endpoints.js';
import { MAX_URL_LENGTH, urlFault } from './webhook-targets.js';
import { ApiController } from '../http/api-controller.js';

type Request = FastifyRequest & AuthenticatedRequest;

const CURSOR = /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,15})$/;
const MAX_OVERLAP_SECONDS = 30 * 86_400;

export class CreateWebhookDto {
  @ApiProperty({ example: 'https://suivi.example.org/spie/webhooks', maxLength: MAX_URL_LENGTH, description: 'https:// (http:// and private addresses only where the service allows them)' })
  @IsString()
  @Length(1, MAX_URL_LENGTH)
  url!: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Logiciel de suivi' })
  @IsOptional()
  @IsString()
  @Length(0, 200)
  description?: string;

  @ApiPropertyOptional({ pattern: CURSOR.source, description: "A feed cursor to deliver after (`0-0`: the whole feed); omitted: from what the feed holds now, only what comes next" })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor given by the feed' })
  after?: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_OVERLAP_SECONDS, description: 'How long the current secret keeps signing beside the new one (default WEBHOOK_SECRET_OVERLAP_SECONDS)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_OVERLAP_SECONDS)
  overlapSeconds?: number;
}

export class ReplayDto {
  @ApiProperty({ pattern: CURSOR.source, description: 'Deliver again every item after this feed cursor (`0-0`: the whole feed)' })
  @Matches(CURSOR, { message: 'after must be a cursor given by the feed' })
  after!: string;
}

export class DeliveryStatusResponse {
  @ApiProperty({ enum: ['active', 'retrying', 'dead', 'stopped'], description: 'stopped: the organisation is deactivated; dead: failing for too long, replay to resume' }) state!: string;
  @ApiProperty({ description: 'The feed cursor of the last item the endpoint acknowledged' }) cursor!: string;
  @ApiProperty() delivered!: number;
  @ApiProperty({ description: 'Consecutive failed attempts of the next item' }) attempts!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSuccessAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'The HTTP status of the last attempt, when there was an answer' }) lastStatus!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'timeout, http_status, connection_refused, address_refused, url_refused, secret_unreadable, network_error…' }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failingSince!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deadSince!: string | null;
}

export class WebhookEndpointResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) secretRotatedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Until when the previous secret also signs' }) previousSecretValidUntil!: string | null;
  @ApiProperty({ type: DeliveryStatusResponse }) delivery!: DeliveryStatusResponse;
}

export class WebhookSecretResponse extends WebhookEndpointResponse {
  @ApiProperty({ description: 'The signing secret (`whsec_…`, Standard Webhooks), shown this once' }) secret!: string;
}

/**
 * An organisation's webhook endpoints: its feed POSTed as it grows, signed per the Standard
 * Webhooks specification. Managed by the organisation's administrator (or a platform
 * administrator); another organisation's endpoints answer 404, like one that does not exist.
 */
@ApiController('webhooks', 'v1/partners/:partnerId/webhooks')
export class WebhooksController {
  constructor(
    @Inject(WebhookEndpoints) private readonly endpoints: WebhookEndpoints,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post()
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: "Register an endpoint for the organisation's feed; the signing secret is in this response only" })
  @ApiCreatedResponse({ type: WebhookSecretResponse })
  async create(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Body() body: CreateWebhookDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EndpointView & { secret: string }> {
    await this.requireManaged(request, partnerId);
    const fault = urlFault(body.url, { allowHttp: this.config.webhookAllowHttp, allowPrivateTargets: this.config.webhookAllowPrivateTargets });
    if (fault) throw new ProblemError(400, 'validation_failed', 'The request is invalid', '1 invalid field(s)', { errors: [{ field: 'url', message: fault }] });
    const principal = request.principal!;
    try {
      const { view, secret } = await this.endpoints.create(partnerId, {
        url: body.url,
        description: body.description ?? '',
        after: body.after === undefined ? undefined : decodeCursor(body.after),
        createdBy: principal.userId ?? (principal.apiKeyId ? `api_key:${principal.apiKeyId}` : null),
      });
      // The secret must not sit in any cache between the service and the caller.
      void reply.status(201).header('cache-control', 'no-store');
      return { ...view, secret };
    } catch (error) {
      if (error instanceof TooManyEndpointsError) {
        throw new ProblemError(422, 'too_many_endpoints', 'Too many webhook endpoints', `an organisation registers at most ${MAX_ENDPOINTS_PER_PARTNER} endpoints; delete one first`);
      }
      throw error;
    }
  }

  @Get()
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: "The organisation's endpoints and their delivery status (never the secrets)" })
  @ApiOkResponse({ type: [WebhookEndpointResponse] })
  async list(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Req() request: Request): Promise<EndpointView[]> {
    await this.requireManaged(request, partnerId);
    return this.endpoints.list(partnerId);
  }

  @Get(':endpointId')
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: 'One endpoint and its delivery status' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  async get(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Param('endpointId', ParseUUIDPipe) endpointId: string, @Req() request: Request): Promise<EndpointView> {
    await this.requireManaged(request, partnerId);
    return found(await this.endpoints.get(partnerId, endpointId));
  }

  @Delete(':endpointId')
  @HttpCode(204)
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: 'Delete an endpoint: nothing more is sent to it (a delivery in flight stops at its next item)' })
  @ApiNoContentResponse()
  async remove(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Param('endpointId', ParseUUIDPipe) endpointId: string, @Req() request: Request): Promise<void> {
    await this.requireManaged(request, partnerId);
    if (!(await this.endpoints.remove(partnerId, endpointId))) throw notFound();
  }

  @Post(':endpointId/secret-rotation')
  @HttpCode(200)
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: 'A new signing secret, in this response only; the current one keeps signing beside it for the overlap' })
  @ApiOkResponse({ type: WebhookSecretResponse })
  async rotate(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('endpointId', ParseUUIDPipe) endpointId: string,
    @Body() body: RotateSecretDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EndpointView & { secret: string }> {
    await this.requireManaged(request, partnerId);
    const rotated = found(await this.endpoints.rotate(partnerId, endpointId, body.overlapSeconds ?? this.config.webhookSecretOverlapSeconds));
    void reply.header('cache-control', 'no-store');
    return { ...rotated.view, secret: rotated.secret };
  }

  @Post(':endpointId/replay')
  @HttpCode(200)
  @Roles(...WEBHOOK_MANAGERS)
  @ApiOperation({ summary: 'Deliver again from a feed cursor; also resumes a dead endpoint' })
  @ApiOkResponse({ type: WebhookEndpointResponse })
  async replay(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('endpointId', ParseUUIDPipe) endpointId: string,
    @Body() body: ReplayDto,
    @Req() request: Request,
  ): Promise<EndpointView> {
    await this.requireManaged(request, partnerId);
    return found(await this.endpoints.replay(partnerId, endpointId, decodeCursor(body.after)));
  }

  /** Which organisations' endpoints the caller manages is the access policy's; the others answer 404. */
  private async requireManaged(request: Request, partnerId: string): Promise<void> {
    if (!managesWebhooks(callerOf(request.principal!, request.actingRoles ?? []), partnerId)) throw notFound('no such organisation');
    if (!(await this.endpoints.partnerExists(partnerId))) throw notFound('no such organisation');
  }
}

function found<T>(value: T | undefined): T {
  if (value === undefined) throw notFound();
  return value;
}

function notFound(detail = 'no such webhook endpoint'): ProblemError {
  return new ProblemError(404, 'not_found', 'Not found', detail);
}
