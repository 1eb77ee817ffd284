import { randomUUID } from 'node:crypto';
import { Body, Delete, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerOf } from '../../access/caller.js';
import { EVERYONE, ORGANISATION_ADMINS, PLATFORM_ADMINS } from '../../access/functions.js';
import { managesOrganisation } from '../../access/grant-rules.js';
import { etagOf, versionFromIfMatch } from '../../http/etag.js';
import { ProblemError } from '../../http/problem.js';
import { metadataOf } from '../../http/request-context.js';
import { textFault } from '../../http/well-formed-input.js';
import { Roles } from '../../access/access.decorators.js';
import { generateApiKey } from '../auth/api-key-secret.js';
import type { AuthenticatedRequest } from '../../access/principal.js';
import type { PartnerCommand } from '../domain/partner-commands.js';
import { type ApiKeyView, GetMember, GetPartner, ListApiKeys, ListMembers, ListPartners, type MemberView, type PartnerView } from '../partner-read.js';
import { ParseMemberIdPipe } from '../../http/member-id.js';
import { ExecutePartnerCommand } from '../partner-write.js';
import { AddMemberDto, ApiKeyResponse, ChangeRolesDto, CreateApiKeyDto, CreatedApiKeyResponse, DeactivatePartnerDto, ListPartnersQuery, MemberResponse, PartnerPageResponse, PartnerResponse, RegisterPartnerDto, UpdatePartnerDto } from './partner.dto.js';
import { ApiController } from '../../http/api-controller.js';

type Request = FastifyRequest & AuthenticatedRequest;

@ApiController('partners', 'v1/partners')
export class PartnersController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles(...PLATFORM_ADMINS)
  @ApiOperation({ summary: 'Register a partner organisation' })
  @ApiCreatedResponse({ type: PartnerResponse })
  async register(@Body() body: RegisterPartnerDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartnerView> {
    const partnerId = randomUUID();
    const { name, kind, siret, territories } = body;
    await this.execute(request, partnerId, { type: 'RegisterPartner', partnerId, name, kind, siret: siret ?? null, territories });
    const view = await this.view(partnerId);
    void reply.status(201).header('location', `/v1/partners/${partnerId}`).header('etag', etagOf(view.version));
    return view;
  }

  @Get()
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'The directory of partner organisations' })
  @ApiOkResponse({ type: PartnerPageResponse })
  async list(@Query() query: ListPartnersQuery): Promise<{ items: PartnerView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const items = await this.queries.execute(
      new ListPartners({ kind: query.kind, territory: query.territory, active: query.active, after: decodePageCursor(query.cursor), limit }),
    );
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === limit && last ? encodePageCursor({ name: last.name, id: last.id }) : null };
  }

  @Get(':partnerId')
  @Roles(...EVERYONE)
  @ApiOperation({ summary: 'One partner organisation' })
  @ApiOkResponse({ type: PartnerResponse })
  async get(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<PartnerView> {
    const view = await this.view(partnerId);
    void reply.header('etag', etagOf(view.version));
    return view;
  }

  @Patch(':partnerId')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: 'Change name, SIRET, territories or kind (If-Match: the ETag read); territories and kind by a platform admin only' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read: 412 if the organisation changed since' })
  @ApiOkResponse({ type: PartnerResponse })
  async update(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Body() body: UpdatePartnerDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<PartnerView> {
    await this.requireManaged(request, partnerId);
    await this.execute(request, partnerId, { type: 'UpdatePartner', ...body }, versionFromIfMatch(ifMatch));
    const view = await this.view(partnerId);
    void reply.header('etag', etagOf(view.version));
    return view;
  }

  @Post(':partnerId/deactivation')
  @HttpCode(200)
  @Roles(...PLATFORM_ADMINS)
  @ApiOperation({ summary: 'Deactivate an organisation: its people and systems lose access' })
  @ApiOkResponse({ type: PartnerResponse })
  async deactivate(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Body() body: DeactivatePartnerDto,
    @Req() request: Request,
  ): Promise<PartnerView> {
    await this.execute(request, partnerId, { type: 'DeactivatePartner', reason: body.reason });
    return this.view(partnerId);
  }

  @Post(':partnerId/reactivation')
  @HttpCode(200)
  @Roles(...PLATFORM_ADMINS)
  @ApiOperation({ summary: 'Reactivate an organisation' })
  @ApiOkResponse({ type: PartnerResponse })
  async reactivate(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Req() request: Request): Promise<PartnerView> {
    await this.execute(request, partnerId, { type: 'ReactivatePartner' });
    return this.view(partnerId);
  }

  @Get(':partnerId/members')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: "The organisation's members and their roles" })
  @ApiOkResponse({ type: [MemberResponse] })
  async members(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Req() request: Request): Promise<MemberView[]> {
    await this.requireManaged(request, partnerId);
    return this.queries.execute(new ListMembers(partnerId));
  }

  @Post(':partnerId/members')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: 'Add a caseworker with roles' })
  @ApiCreatedResponse({ type: MemberResponse })
  async addMember(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Body() body: AddMemberDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MemberView> {
    await this.requireManaged(request, partnerId);
    await this.execute(request, partnerId, { type: 'AddMember', ...body, memberOfPartnerId: null });
    void reply.status(201).header('location', `/v1/partners/${partnerId}/members/${encodeURIComponent(body.userId)}`);
    return this.member(partnerId, body.userId);
  }

  @Put(':partnerId/members/:userId/roles')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: "Replace a member's roles" })
  @ApiOkResponse({ type: MemberResponse })
  async changeRoles(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('userId', ParseMemberIdPipe) userId: string,
    @Body() body: ChangeRolesDto,
    @Req() request: Request,
  ): Promise<MemberView> {
    await this.requireManaged(request, partnerId);
    await this.member(partnerId, userId);
    await this.execute(request, partnerId, { type: 'ChangeMemberRoles', userId, roles: body.roles });
    return this.member(partnerId, userId);
  }

  @Delete(':partnerId/members/:userId')
  @HttpCode(204)
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: 'Remove a member' })
  @ApiNoContentResponse()
  async removeMember(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('userId', ParseMemberIdPipe) userId: string,
    @Req() request: Request,
  ): Promise<void> {
    await this.requireManaged(request, partnerId);
    await this.member(partnerId, userId);
    await this.execute(request, partnerId, { type: 'RemoveMember', userId });
  }

  @Get(':partnerId/api-keys')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: "The organisation's API keys (never the keys themselves)" })
  @ApiOkResponse({ type: [ApiKeyResponse] })
  async apiKeys(@Param('partnerId', ParseUUIDPipe) partnerId: string, @Req() request: Request): Promise<ApiKeyView[]> {
    await this.requireManaged(request, partnerId);
    return this.queries.execute(new ListApiKeys(partnerId));
  }

  @Post(':partnerId/api-keys')
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: 'Create an API key for a partner system; the key is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  async createApiKey(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Body() body: CreateApiKeyDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ApiKeyView & { key: string }> {
    await this.requireManaged(request, partnerId);
    const key = generateApiKey();
    await this.execute(request, partnerId, {
      type: 'CreateApiKey',
      keyId: key.keyId,
      name: body.name,
      scopes: body.scopes,
      expiresAt: body.expiresAt,
      secretHash: key.secretHash,
    });
    const created = (await this.queries.execute(new ListApiKeys(partnerId))).find((candidate) => candidate.keyId === key.keyId)!;
    // The key must not sit in any cache between the service and the caller.
    void reply.status(201).header('cache-control', 'no-store');
    return { ...created, key: key.token };
  }

  @Delete(':partnerId/api-keys/:keyId')
  @HttpCode(204)
  @Roles(...ORGANISATION_ADMINS)
  @ApiOperation({ summary: 'Revoke an API key (effective at once on this instance, within 5 s on the others)' })
  @ApiNoContentResponse()
  async revokeApiKey(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('keyId') keyId: string,
    @Req() request: Request,
  ): Promise<void> {
    await this.requireManaged(request, partnerId);
    await this.execute(request, partnerId, { type: 'RevokeApiKey', keyId });
  }

  private async execute(request: Request, partnerId: string, command: PartnerCommand, expectedVersion?: number) {
    return this.commands.execute(new ExecutePartnerCommand(partnerId, command, request.principal, metadataOf(request), expectedVersion));
  }

  private async view(partnerId: string): Promise<PartnerView> {
    const view = await this.queries.execute(new GetPartner(partnerId));
    if (!view) throw notFound();
    return view;
  }

  private async member(partnerId: string, userId: string): Promise<MemberView> {
    const member = await this.queries.execute(new GetMember(userId));
    if (!member || member.partnerId !== partnerId) throw notFound('no such member');
    const { partnerId: _partner, ...view } = member;
    return view;
  }

  /**
   * Which organisations the caller manages is the access policy's; another organisation's
   * management endpoints answer 404, exactly like an organisation that does not exist.
   */
  private async requireManaged(request: Request, partnerId: string): Promise<void> {
    const principal = request.principal!;
    if (!managesOrganisation(callerOf(principal, request.actingRoles ?? []), partnerId)) throw notFound();
    await this.view(partnerId);
  }
}

function notFound(detail = 'no such organisation'): ProblemError {
  return new ProblemError(404, 'not_found', 'Not found', detail);
}

function encodePageCursor(cursor: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodePageCursor(text: string | undefined): { name: string; id: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { name?: unknown; id?: unknown };
    // Decoded here, so the global input check never saw it: a forged cursor must not carry a NUL or
    // a lone surrogate (or a malformed uuid) to the database.
    if (typeof value.name === 'string' && textFault(value.name) === undefined && typeof value.id === 'string' && UUID.test(value.id)) {
      return { name: value.name, id: value.id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new ProblemError(400, 'invalid_cursor', 'The cursor is not one this service gave');
}
