import { randomUUID } from 'node:crypto';
import { Body, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CASEWORKERS, OPENERS, ORIENTATION, READERS, RECTIFIERS, RIGHTS_OFFICERS, SEARCHERS } from '../../access/functions.js';
import { Clock } from '../../kernel/clock.js';
import { correlationIdOf } from '../../http/correlation.js';
import { etagOf, versionFromIfMatch } from '../../http/etag.js';
import { IdempotencyStore, uuidFromKey } from '../../http/idempotency.js';
import { ProblemError } from '../../http/problem.js';
import { actorOf } from '../../http/request-context.js';
import { Roles } from '../../access/access.decorators.js';
import type { AuthenticatedRequest } from '../../access/principal.js';
import { PROCESSING_RIGHTS, type ProcessingRight } from '../domain/events.js';
import type { Identity } from '../../privacy/identity.js';
import { ExecuteParcoursCommand, type ParcoursCommandResult } from '../parcours-write.js';
import type { ParcoursRequest } from '../parcours-request.js';
import { GetParcours, ListFollowups, ListParcours, type ParcoursSummary, type ParcoursView, readerOf } from '../read-models/parcours-details/parcours-details.query.js';
import { AssignReferentDto, ChangeActionStatusDto, CommandResultDto, DecideOrientationDto, DecideReorientationDto, EndEmploymentContractDto, EndEngagementContractDto, ErasureDto, ExitParcoursDto, JoinFollowUpGroupDto, LeaveFollowUpGroupDto, LiftProcessingRestrictionDto, ListFollowupsQuery, ListParcoursQuery, OpenParcoursDto, PrescribeActionDto, RecordAppointmentDto, RecordContactDto, RecordDiagnosticDto, RectifyIdentityDto, ReleaseReferentDto, ReopenParcoursDto, RequestReorientationDto, RestrictProcessingDto, RecordFranceTravailRegistrationDto, ResumeParcoursDto, SearchParcoursDto, SignEngagementContractDto, StartEmploymentContractDto, SuspendParcoursDto } from './parcours.dto.js';
import { AppointmentPageResponse, ContactPageResponse, ParcoursPageResponse, ParcoursResponse, ParcoursSearchResponse } from './parcours.response.js';
import { type ParcoursMatch, SearchParcours } from '../read-models/parcours-details/parcours-search.query.js';
import { ApiController } from '../../http/api-controller.js';

type Request = FastifyRequest & AuthenticatedRequest;

const UUID = new ParseUUIDPipe();

// Declared on the commands only: a GET neither takes a version nor replays an answer, and the
// opening POST has no version to match yet.
const IdempotencyKeyHeader = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried request with the same key gets the same answer and writes nothing' });
const IfMatchHeader = ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read: 412 if the parcours changed since' });

@ApiController('parcours', 'v1/parcours')
export class ParcoursController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(IdempotencyStore) private readonly idempotency: IdempotencyStore,
  ) {}

  @Post()
  @IdempotencyKeyHeader
  @Roles(...OPENERS)
  @ApiOperation({ summary: 'Open the parcours of a beneficiary (entry); the identity is encrypted' })
  @ApiCreatedResponse({ type: CommandResultDto })
  open(@Body() body: OpenParcoursDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    const { identity, ...facts } = body;
    // With an Idempotency-Key the id derives from it: two racing retries then target the same
    // stream, and the loser finds the winner's answer instead of opening a second parcours.
    const key = request.headers['idempotency-key'];
    const parcoursId = typeof key === 'string' && key ? uuidFromKey(request.principal!.partnerId, key) : randomUUID();
    return this.execute(request, reply, parcoursId, { type: 'OpenParcours', ...facts, identity: { ...identity } }, 201);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ summary: 'The parcours the caller may see, filtered, by pages' })
  @ApiOkResponse({ type: ParcoursPageResponse })
  list(@Query() query: ListParcoursQuery, @Req() request: Request): Promise<{ items: ParcoursSummary[]; nextCursor: string | null }> {
    return this.queries.execute(
      new ListParcours(
        {
          status: query.status,
          territory: query.territory,
          referentUserId: query.referent,
          partnerId: query.organisation,
          after: query.cursor,
          limit: query.limit ?? 50,
        },
        readerOf(request),
      ),
    );
  }

  @Post('search')
  @HttpCode(200)
  @Roles(...SEARCHERS)
  @ApiOperation({
    summary: "A person's parcours the caller may see, found by NIR, allocataire number, or names and birth date (blind indexes; journaled)",
    description: 'Identifiers go in the body, never in the URL. Accents, case, hyphens, spaces and the order of first names do not count.',
  })
  @ApiOkResponse({ type: ParcoursSearchResponse })
  search(@Body() body: SearchParcoursDto, @Req() request: Request): Promise<{ items: ParcoursMatch[] }> {
    const byName = body.lastName !== undefined && body.firstName !== undefined && body.birthDate !== undefined;
    if (body.nir === undefined && body.allocataire === undefined && !byName) {
      throw new ProblemError(400, 'validation_failed', 'The request is invalid', '1 invalid field(s)', {
        errors: [{ field: 'nir', message: 'give a nir, an allocataire, or lastName, firstName and birthDate' }],
      });
    }
    return this.queries.execute(new SearchParcours(body, readerOf(request)));
  }

  @Get(':parcoursId')
  @Roles(...READERS)
  @ApiOperation({ summary: 'The current state of a parcours (ETag: its version)' })
  @ApiOkResponse({ type: ParcoursResponse })
  async get(@Param('parcoursId', UUID) parcoursId: string, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply): Promise<ParcoursView> {
    const view = await this.queries.execute(new GetParcours(parcoursId, readerOf(request)));
    void reply.header('etag', etagOf(view.version));
    return view;
  }

  @Get(':parcoursId/contacts')
  @Roles(...READERS)
  @ApiOperation({ summary: "All of a parcours' contacts, by pages, by date then as recorded (the parcours shows the 20 latest)" })
  @ApiOkResponse({ type: ContactPageResponse })
  contacts(@Param('parcoursId', UUID) parcoursId: string, @Query() query: ListFollowupsQuery, @Req() request: Request) {
    return this.queries.execute(new ListFollowups(parcoursId, 'contacts', { after: query.cursor, limit: query.limit ?? 50 }, readerOf(request)));
  }

  @Get(':parcoursId/appointments')
  @Roles(...READERS)
  @ApiOperation({ summary: "All of a parcours' appointments, by pages, by date then as recorded (the parcours shows the 20 latest)" })
  @ApiOkResponse({ type: AppointmentPageResponse })
  appointments(@Param('parcoursId', UUID) parcoursId: string, @Query() query: ListFollowupsQuery, @Req() request: Request) {
    return this.queries.execute(new ListFollowups(parcoursId, 'appointments', { after: query.cursor, limit: query.limit ?? 50 }, readerOf(request)));
  }

  @Post(':parcoursId/diagnostics')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Record a diagnostic (freins périphériques)' })
  @ApiOkResponse({ type: CommandResultDto })
  diagnostic(@Param('parcoursId', UUID) id: string, @Body() body: RecordDiagnosticDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'RecordDiagnostic', ...body, barriers: { ...body.barriers } });
  }

  @Post(':parcoursId/orientation')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...ORIENTATION)
  @ApiOperation({ summary: 'Decide the orientation: parcours type and organisme référent' })
  @ApiOkResponse({ type: CommandResultDto })
  orientation(@Param('parcoursId', UUID) id: string, @Body() body: DecideOrientationDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'DecideOrientation', ...body });
  }

  @Post(':parcoursId/reorientation-request')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Request a reorientation' })
  @ApiOkResponse({ type: CommandResultDto })
  requestReorientation(@Param('parcoursId', UUID) id: string, @Body() body: RequestReorientationDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'RequestReorientation', ...body });
  }

  @Post(':parcoursId/reorientation-decision')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...ORIENTATION)
  @ApiOperation({ summary: 'Decide the pending reorientation request' })
  @ApiOkResponse({ type: CommandResultDto })
  decideReorientation(@Param('parcoursId', UUID) id: string, @Body() body: DecideReorientationDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    const decision: ParcoursRequest = body.accepted
      ? { type: 'DecideReorientation', accepted: true, decidedOn: body.decidedOn, parcoursType: body.parcoursType!, organismeReferentId: body.organismeReferentId! }
      : { type: 'DecideReorientation', accepted: false, decidedOn: body.decidedOn, rejectionReason: body.rejectionReason! };
    return this.execute(request, reply, id, decision);
  }

  @Post(':parcoursId/referent')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Assign the référent unique (a handover releases the previous one the same day)' })
  @ApiOkResponse({ type: CommandResultDto })
  assignReferent(@Param('parcoursId', UUID) id: string, @Body() body: AssignReferentDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'AssignReferent', ...body });
  }

  @Post(':parcoursId/referent/release')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Release the référent' })
  @ApiOkResponse({ type: CommandResultDto })
  releaseReferent(@Param('parcoursId', UUID) id: string, @Body() body: ReleaseReferentDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'ReleaseReferent', ...body });
  }

  @Post(':parcoursId/follow-up-group')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'An organisation joins the groupe de suivi' })
  @ApiOkResponse({ type: CommandResultDto })
  joinFollowUpGroup(@Param('parcoursId', UUID) id: string, @Body() body: JoinFollowUpGroupDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'JoinFollowUpGroup', ...body });
  }

  @Post(':parcoursId/follow-up-group/:partnerId/leave')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'An organisation leaves the groupe de suivi (and stops seeing the parcours)' })
  @ApiOkResponse({ type: CommandResultDto })
  leaveFollowUpGroup(
    @Param('parcoursId', UUID) id: string,
    @Param('partnerId', UUID) partnerId: string,
    @Body() body: LeaveFollowUpGroupDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.execute(request, reply, id, { type: 'LeaveFollowUpGroup', partnerId, ...body });
  }

  @Post(':parcoursId/appointments')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Record a rendez-vous and its outcome' })
  @ApiOkResponse({ type: CommandResultDto })
  appointment(@Param('parcoursId', UUID) id: string, @Body() body: RecordAppointmentDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'RecordAppointment', ...body });
  }

  @Post(':parcoursId/contacts')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Record an individual contact' })
  @ApiOkResponse({ type: CommandResultDto })
  contact(@Param('parcoursId', UUID) id: string, @Body() body: RecordContactDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'RecordContact', ...body });
  }

  @Post(':parcoursId/engagement-contracts')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Sign an engagement contract (CE, CER, PPAE, CEJ, PACEA)' })
  @ApiOkResponse({ type: CommandResultDto })
  signEngagementContract(@Param('parcoursId', UUID) id: string, @Body() body: SignEngagementContractDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'SignEngagementContract', ...body });
  }

  @Post(':parcoursId/engagement-contracts/:contractId/end')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'End an engagement contract' })
  @ApiOkResponse({ type: CommandResultDto })
  endEngagementContract(
    @Param('parcoursId', UUID) id: string,
    @Param('contractId', UUID) contractId: string,
    @Body() body: EndEngagementContractDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.execute(request, reply, id, { type: 'EndEngagementContract', contractId, ...body });
  }

  @Post(':parcoursId/actions')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Prescribe an action (training, PMSMP, mobility aid…)' })
  @ApiOkResponse({ type: CommandResultDto })
  prescribeAction(@Param('parcoursId', UUID) id: string, @Body() body: PrescribeActionDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'PrescribeAction', ...body });
  }

  @Post(':parcoursId/actions/:actionId/status')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: "Change an action's status" })
  @ApiOkResponse({ type: CommandResultDto })
  changeActionStatus(
    @Param('parcoursId', UUID) id: string,
    @Param('actionId', UUID) actionId: string,
    @Body() body: ChangeActionStatusDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.execute(request, reply, id, { type: 'ChangeActionStatus', actionId, ...body });
  }

  @Post(':parcoursId/employment-contracts')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Start an employment contract (PEC, CDDI, CDI in EBE…)' })
  @ApiOkResponse({ type: CommandResultDto })
  startEmploymentContract(@Param('parcoursId', UUID) id: string, @Body() body: StartEmploymentContractDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'StartEmploymentContract', ...body, structureKind: body.structureKind ?? null });
  }

  @Post(':parcoursId/employment-contracts/:contractId/end')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'End an employment contract' })
  @ApiOkResponse({ type: CommandResultDto })
  endEmploymentContract(
    @Param('parcoursId', UUID) id: string,
    @Param('contractId', UUID) contractId: string,
    @Body() body: EndEmploymentContractDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.execute(request, reply, id, { type: 'EndEmploymentContract', contractId, ...body });
  }

  @Post(':parcoursId/france-travail-registration')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...ORIENTATION)
  @ApiOperation({ summary: 'Record the registration with France Travail of a parcours opened before 2025 (automatic at opening from 2025)' })
  @ApiOkResponse({ type: CommandResultDto })
  recordFranceTravailRegistration(
    @Param('parcoursId', UUID) id: string,
    @Body() body: RecordFranceTravailRegistrationDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.execute(request, reply, id, { type: 'RecordFranceTravailRegistration', ...body });
  }

  @Post(':parcoursId/suspension')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...ORIENTATION)
  @ApiOperation({ summary: 'Suspend (suspension-remobilisation, décret 2025-478)' })
  @ApiOkResponse({ type: CommandResultDto })
  suspend(@Param('parcoursId', UUID) id: string, @Body() body: SuspendParcoursDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'SuspendParcours', ...body });
  }

  @Post(':parcoursId/resumption')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...ORIENTATION)
  @ApiOperation({ summary: 'Resume after a suspension' })
  @ApiOkResponse({ type: CommandResultDto })
  resume(@Param('parcoursId', UUID) id: string, @Body() body: ResumeParcoursDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'ResumeParcours', ...body });
  }

  @Post(':parcoursId/exit')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Exit (sortie): emploi durable, emploi de transition, sortie positive, autre' })
  @ApiOkResponse({ type: CommandResultDto })
  exit(@Param('parcoursId', UUID) id: string, @Body() body: ExitParcoursDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'ExitParcours', ...body });
  }

  @Post(':parcoursId/reopening')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...CASEWORKERS)
  @ApiOperation({ summary: 'Reopen an exited parcours' })
  @ApiOkResponse({ type: CommandResultDto })
  reopen(@Param('parcoursId', UUID) id: string, @Body() body: ReopenParcoursDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'ReopenParcours', ...body });
  }

  // The person's rights (RGPD art. 16, 17, 18, 21) -------------------------------------------

  @Post(':parcoursId/identity-rectification')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...RECTIFIERS)
  @ApiOperation({
    summary: 'Rectify the identity (RGPD art. 16): the corrected fields, re-encrypted with the rest under the same key',
    description: 'The DPO may rectify any parcours, archived ones included; caseworkers the parcours they follow. Only fields whose value changes are recorded.',
  })
  @ApiOkResponse({ type: CommandResultDto })
  rectify(@Param('parcoursId', UUID) id: string, @Body() body: RectifyIdentityDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    // A plain object without the keys left out: an absent key is "not corrected", null is "removed".
    const corrections = JSON.parse(JSON.stringify(body.corrections)) as Partial<Identity>;
    return this.execute(request, reply, id, { type: 'RectifyIdentity', corrections, rectifiedOn: body.rectifiedOn ?? this.clock.today() });
  }

  @Post(':parcoursId/processing-restrictions')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...RIGHTS_OFFICERS)
  @ApiOperation({
    summary: 'Record a restriction (RGPD art. 18) or a granted opposition (art. 21)',
    description: 'Restriction: nothing more is recorded or shared until it is lifted. Opposition: the record is shared only with the organisations in charge of the accompaniment.',
  })
  @ApiOkResponse({ type: CommandResultDto })
  restrict(@Param('parcoursId', UUID) id: string, @Body() body: RestrictProcessingDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'RestrictProcessing', right: body.right, ground: body.ground, restrictedOn: body.restrictedOn ?? this.clock.today() });
  }

  @Post(':parcoursId/processing-restrictions/:right/lifting')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...RIGHTS_OFFICERS)
  @ApiOperation({ summary: 'Lift a restriction or an opposition' })
  @ApiParam({ name: 'right', enum: PROCESSING_RIGHTS })
  @ApiOkResponse({ type: CommandResultDto })
  lift(
    @Param('parcoursId', UUID) id: string,
    @Param('right') right: string,
    @Body() body: LiftProcessingRestrictionDto,
    @Req() request: Request,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!(PROCESSING_RIGHTS as readonly string[]).includes(right)) {
      throw new ProblemError(400, 'validation_failed', 'The request is invalid', `right must be one of ${PROCESSING_RIGHTS.join(', ')}`);
    }
    return this.execute(request, reply, id, { type: 'LiftProcessingRestriction', right: right as ProcessingRight, liftedOn: body.liftedOn ?? this.clock.today() });
  }

  @Post(':parcoursId/erasure')
  @IfMatchHeader
  @IdempotencyKeyHeader
  @HttpCode(200)
  @Roles(...RIGHTS_OFFICERS)
  @ApiOperation({
    summary: 'Erase the personal data (RGPD art. 17) by destroying the beneficiary\'s key',
    description:
      'The key is destroyed and PersonalDataErased recorded in one transaction; the identity and notes become unreadable everywhere, ' +
      'read models drop them, partners that followed the parcours are told. Dates, orientation, contracts and exit stay, for statistics and audits. Idempotent.',
  })
  @ApiOkResponse({ type: CommandResultDto })
  erase(@Param('parcoursId', UUID) id: string, @Body() body: ErasureDto, @Req() request: Request, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.execute(request, reply, id, { type: 'ErasePersonalData', legalGround: body.legalGround, erasedOn: this.clock.today() });
  }

  /**
   * Every command the same way: If-Match → expected version (412 on mismatch), Idempotency-Key →
   * replay of the first answer, ETag of the new version in the answer.
   */
  private async execute(request: Request, reply: FastifyReply, parcoursId: string, command: ParcoursRequest, status = 200): Promise<ParcoursCommandResult> {
    const principal = request.principal!;
    const path = request.url.split('?')[0]!;
    const idempotency = IdempotencyStore.fromRequest(principal.partnerId, request.headers['idempotency-key'], request.method, path, request.body);
    const answer = await this.idempotency.once<ParcoursCommandResult>(idempotency, status, (keyed) =>
      this.commands.execute(
        new ExecuteParcoursCommand(
          parcoursId,
          command,
          principal,
          request.actingRole!,
          { actor: actorOf(principal, request.actingRole), correlationId: correlationIdOf(request), causationId: null },
          {
            actingRoles: request.actingRoles,
            expectedVersion: versionFromIfMatch(request.headers['if-match']),
            eventId: keyed?.eventId,
            followups: keyed && ((result) => [keyed.record(result)]),
          },
        ),
      ),
    );
    const { result } = answer;
    void reply.status(answer.status).headers({ etag: etagOf(result.version), ...(answer.status === 201 ? { location: `/v1/parcours/${result.parcoursId}` } : {}) });
    if (answer.replayed) void reply.header('idempotent-replayed', 'true');
    return result;
  }
}
