import type { OpenAPIObject, ResponseObject } from '@nestjs/swagger';
import type { ParcoursRuleErrorCode } from './parcours/domain/errors.js';
import type { PartnerRuleCode } from './partners/domain/partner-decider.js';

/**
 * The problems (RFC 9457) each operation can answer, by status, with the `code`s each carries:
 * declared per operation so that a generated client knows every answer and a strict validator
 * refuses an undeclared one. Where they come from:
 * - every authenticated operation: the access guard (401 invalid credentials, 403 roles or
 *   membership, 429 the organisation's rate), the database (503), the validation pipe and the
 *   framework (400);
 * - a path naming a resource: 404; a body: 413 (BODY_LIMIT_BYTES);
 * - commands: the deciders' rule codes (src/http/problem.ts maps them: `_already_` is a 409, the
 *   rest of the parcours rules a 422), the event store's conflicts (409), If-Match (412),
 *   Idempotency-Key (400, 422).
 * The `code` lists are written here once, typed against the deciders' code unions where they exist.
 */

const PARCOURS_RULES: readonly ParcoursRuleErrorCode[] = [
  'parcours_already_opened',
  'parcours_exited',
  'parcours_not_exited',
  'parcours_not_open',
  'parcours_not_suspended',
  'personal_data_erased',
  'parcours_archived',
  'processing_restricted',
  'invalid_rectification',
  'processing_already_restricted',
  'invalid_date',
  'date_in_future',
  'date_before_entry',
  'birth_date_after_entry',
  'invalid_period',
  'invalid_territory',
  'partner_inactive',
  'partner_not_following',
  'already_oriented',
  'not_oriented',
  'reorientation_already_requested',
  'no_reorientation_requested',
  'referent_role_missing',
  'referent_partner_not_in_follow_up_group',
  'no_active_referent',
  'referent_partner_must_stay',
  'organisme_referent_must_stay',
  'invalid_weekly_hours',
  'engagement_contract_already_open',
  'engagement_contract_not_found',
  'employment_contract_already_open',
  'employment_contract_not_found',
  'invalid_employer',
  'invalid_structure_kind',
  'planned_end_required',
  'planned_end_not_allowed',
  'action_not_found',
  'invalid_action_transition',
  'id_already_used',
  'contract_kind_not_in_regime',
  'invalid_activity_hours_adjustment',
  'sanction_not_in_force',
  'invalid_withheld_share',
  'already_registered_with_france_travail',
];
/** As src/http/problem.ts maps parcours rule errors. */
const isParcoursConflict = (code: string): boolean => code === 'id_already_used' || /_already_/.test(code);

const PARTNER_RULES: readonly PartnerRuleCode[] = [
  'partner_not_found',
  'partner_already_registered',
  'partner_inactive',
  'invalid_name',
  'invalid_kind',
  'invalid_siret',
  'unknown_territory',
  'no_territory',
  'invalid_roles',
  'role_reserved_to_platform_admin',
  'incompatible_roles',
  'field_reserved_to_platform_admin',
  'member_of_another_partner',
  'member_already_exists',
  'member_not_found',
  'invalid_scopes',
  'invalid_expiry',
  'api_key_not_found',
  'api_key_id_already_used',
];
/** As src/http/problem.ts maps partner rule errors (RULE_STATUS, `_not_found`, else 422). */
const PARTNER_RULE_STATUS: Partial<Record<PartnerRuleCode, number>> = {
  partner_already_registered: 409,
  member_already_exists: 409,
  api_key_id_already_used: 409,
  field_reserved_to_platform_admin: 403,
};
const partnerRuleStatus = (code: PartnerRuleCode): number => PARTNER_RULE_STATUS[code] ?? (code.endsWith('_not_found') ? 404 : 422);

const TITLES: Record<number, string> = {
  400: 'The request is invalid (each invalid field in `errors`)',
  401: 'Not authenticated: no credentials, or an invalid, expired or revoked token or key',
  403: 'Not allowed: the roles, the organisation or the field',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflict: already done, or changed concurrently',
  412: 'The resource changed since the ETag given in If-Match',
  413: 'The body is larger than the service accepts',
  414: 'A segment of the path is too long',
  415: 'The body is not application/json',
  422: 'The request breaks a rule',
  429: 'Too many requests: retry after Retry-After seconds',
  503: 'Unavailable for a moment (database, identity provider, shutting down): retry after Retry-After seconds',
};

type Codes = Map<number, Set<string>>;

function add(codes: Codes, status: number, ...names: string[]): void {
  const set = codes.get(status) ?? new Set<string>();
  for (const name of names) set.add(name);
  codes.set(status, set);
}

interface OperationFacts {
  method: string;
  path: string;
  hasBody: boolean;
  headers: string[];
  pathParams: string[];
}

/** The problem codes an operation can answer, by status. */
export function problemsOf(operation: OperationFacts): Codes {
  const codes: Codes = new Map();
  const { method, path } = operation;
  // The framework and the validation pipe, before any handler.
  add(codes, 400, 'validation_failed', 'bad_request', 'invalid_url');
  add(codes, 414, 'uri_too_long');
  // Every documented operation is authenticated (the health probes are not in the document).
  add(codes, 401, 'invalid_token', 'invalid_api_key');
  add(codes, 403, 'forbidden', 'not_a_member');
  add(codes, 429, 'rate_limited');
  add(codes, 503, 'database_busy', 'database_unavailable', 'identity_provider_unavailable');
  if (operation.hasBody) {
    add(codes, 413, 'payload_too_large');
    add(codes, 415, 'unsupported_media_type');
  }
  if (operation.pathParams.length > 0) add(codes, 404, 'not_found');
  if (operation.headers.includes('If-Match')) {
    add(codes, 400, 'invalid_if_match');
    add(codes, 412, 'precondition_failed');
  }
  if (operation.headers.includes('Idempotency-Key')) {
    add(codes, 400, 'invalid_idempotency_key');
    add(codes, 422, 'idempotency_key_reused');
  }

  if (path.startsWith('/v1/parcours') && method !== 'get' && path !== '/v1/parcours/search') {
    // A command on a parcours: its decider's rules, the store's conflicts. The opening does not
    // declare If-Match (there is no version to match yet), but a stray one is still honoured: 412.
    add(codes, 412, 'precondition_failed');
    for (const code of PARCOURS_RULES) add(codes, isParcoursConflict(code) ? 409 : 422, code);
    add(codes, 409, 'concurrency_conflict', 'event_id_conflict');
    add(codes, 422, 'unknown_partner', 'unknown_referent');
    // One open parcours per person (blind indexes): an opening, a reopening, a rectification.
    add(codes, 409, 'parcours_exists');
  }
  if (path === '/v1/intake/imports') add(codes, 422, 'invalid_intake_file');
  if (path === '/v1/partners/{partnerId}/webhooks' && method === 'post') add(codes, 422, 'too_many_endpoints');
  if (path.startsWith('/v1/partners') && method !== 'get') {
    for (const code of PARTNER_RULES) add(codes, partnerRuleStatus(code), code);
    add(codes, 409, 'concurrency_conflict', 'event_id_conflict');
  }
  if (path === '/v1/partners' || path.endsWith('/members') || path.endsWith('/api-keys') || path === '/v1/access-journal') add(codes, 400, 'invalid_cursor');
  if (path === '/v1/parcours' || path === '/v1/feed' || path === '/v1/feed/stream' || path === '/v1/caseload') add(codes, 400, 'invalid_cursor');
  if (path === '/v1/reports/territories' || path === '/v1/reports/continuity') add(codes, 400, 'invalid_period');
  if (path === '/v1/reports/caom') add(codes, 404, 'caom_policy_not_found');
  if (path.startsWith('/v1/audit/')) add(codes, 400, 'invalid_date');
  if (path === '/v1/feed/stream') {
    add(codes, 429, 'too_many_streams');
    add(codes, 503, 'shutting_down');
  }
  return codes;
}

const CORRELATION_HEADER = {
  'x-correlation-id': { required: true, description: 'The request\'s correlation id (the one sent, or one made up): quote it to the support', schema: { type: 'string' } },
};
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
const WWW_AUTHENTICATE = { 'WWW-Authenticate': { description: 'The scheme refused: Bearer or ApiKey', schema: { type: 'string' } } };
const ETAG = { ETag: { required: true, description: 'The version of the resource, to send back in If-Match', schema: { type: 'string' } } };
const LOCATION = { Location: { required: true, description: 'Where the created resource is', schema: { type: 'string' } } };

/**
 * Declares, on every operation, each problem status it can answer with the codes it can carry
 * (an enum on `code`), and the response headers: x-correlation-id on every answer, ETag where a
 * version is given, Retry-After on 429 and 503, WWW-Authenticate on 401.
 */
export function withProblemAnswers(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas['ProblemDetails'] = {
    type: 'object',
    required: ['type', 'title', 'status', 'code', 'correlationId'],
    properties: {
      type: { type: 'string', description: 'urn:spie-parcours:problem:<code>' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'Stable, for programs: validation_failed, not_found, processing_restricted…' },
      correlationId: { type: 'string', description: 'Also in the x-correlation-id header; quote it to the support' },
      errors: {
        type: 'array',
        description: 'On a 400: each invalid field and what is wrong with it; on an invalid intake file (422): each line and column at fault, with a code',
        items: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
            {
              type: 'object',
              additionalProperties: false,
              required: ['line', 'column', 'code'],
              properties: { line: { type: 'integer' }, column: { type: 'string' }, code: { type: 'string' } },
            },
          ],
        },
      },
      parcoursId: { type: 'string', format: 'uuid', description: 'On a 409 parcours_exists: the open parcours, when the caller may see it' },
      organismeReferent: { type: 'string', description: 'On a 409 parcours_exists: the name of the organisation in charge, when the caller may not see the parcours' },
      currentVersion: { type: 'integer', description: 'On a 409 or 412 concurrency problem: the version now' },
      retryAfterSeconds: { type: 'integer', description: 'On some 429 and 503: also in Retry-After' },
      checks: { type: 'object', description: 'On a failed readiness check: what each check found' },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = (operation.parameters ?? []) as Array<{ in: string; name: string }>;
      const facts: OperationFacts = {
        method,
        path,
        hasBody: operation.requestBody !== undefined,
        headers: parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name),
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
      };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!status.startsWith('2')) continue;
        const headers: Record<string, unknown> = { ...CORRELATION_HEADER };
        if (versioned(method, path)) Object.assign(headers, ETAG);
        if (status === '201' && located(path)) Object.assign(headers, LOCATION);
        (response as { headers?: Record<string, unknown> }).headers = { ...(response as { headers?: Record<string, unknown> }).headers, ...headers };
      }
      for (const [status, codes] of [...problemsOf(facts)].sort(([a], [b]) => a - b)) {
        const headers: Record<string, unknown> = { ...CORRELATION_HEADER };
        if (status === 429 || status === 503) Object.assign(headers, RETRY_AFTER);
        if (status === 401) Object.assign(headers, WWW_AUTHENTICATE);
        const list = [...codes].sort();
        operation.responses[String(status)] = <ResponseObject>{
          description: `${TITLES[status] ?? 'A problem'}. Codes: ${list.join(', ')}`,
          headers,
          content: {
            'application/problem+json': {
              schema: { allOf: [{ $ref: '#/components/schemas/ProblemDetails' }, { type: 'object', properties: { status: { const: status }, code: { enum: list } } }] },
            },
          },
        };
      }
      operation.responses['default'] = <ResponseObject>{
        description: 'An unexpected error (500, code internal_error): quote the correlation id to the support',
        headers: CORRELATION_HEADER,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
      };
    }
  }
  return document;
}

/** The creations answered with the new resource's Location (an API key's secret is shown once, at no address). */
function located(path: string): boolean {
  return path === '/v1/parcours' || path === '/v1/partners' || path === '/v1/partners/{partnerId}/members';
}

/** The answers that carry the resource's version in an ETag. */
function versioned(method: string, path: string): boolean {
  if (path === '/v1/parcours/{parcoursId}' && method === 'get') return true;
  if (path.startsWith('/v1/parcours') && method === 'post' && path !== '/v1/parcours/search') return true;
  if (path === '/v1/partners/{partnerId}' && method === 'get') return true;
  return path === '/v1/partners' && method === 'post';
}
