import { ROLES, type Role } from './roles.js';

/**
 * Which roles may call which function: what the endpoints declare with `@Roles`, in one place. The
 * order matters: a caller holding several accepted roles acts under the first (`actingRolesFor`).
 * Which objects a function then reaches is the parcours rule's (`parcours-rule.ts`) and the
 * organisation rules' (`grant-rules.ts`) to say.
 */
type Roles = readonly [Role, ...Role[]];

/** Caseworkers who record the parcours as it happens. */
export const CASEWORKERS: Roles = ['referent', 'orientation_manager', 'coordinator'];
/** Decisions of the Département's orientation (CASF L. 262-29 and following). */
export const ORIENTATION: Roles = ['orientation_manager', 'coordinator'];
/** Opening a parcours (entry). */
export const OPENERS: Roles = [...ORIENTATION, 'referent'];
/**
 * Readers of parcours: caseworkers, the data protection officer, auditors (pseudonymised). The DPO
 * comes before the auditor: someone holding both acts as the DPO, who sees the identity.
 */
export const READERS: Roles = [...CASEWORKERS, 'dpo', 'auditor'];
/**
 * Finding a person's parcours by identifier (NIR, allocataire number, names and birth date): the
 * roles that see who the person is, and no other — a search by identifier would undo an
 * auditor's pseudonymisation.
 */
export const SEARCHERS: Roles = [...CASEWORKERS, 'dpo'];
/** Importing the CAF/MSA monthly file of entrants: the Département's coordinators, the platform administrator. */
export const INTAKE_IMPORTERS: Roles = ['coordinator', 'platform_admin'];
/** The ruptures of one parcours. */
export const CONTINUITY_READERS: Roles = [...CASEWORKERS, 'auditor'];
/** Identity rectification: caseworkers for the parcours they follow, the DPO for any. */
export const RECTIFIERS: Roles = [...CASEWORKERS, 'dpo'];
/** The person's rights and erasure are the data protection officer's (and the platform administrator's). */
export const RIGHTS_OFFICERS: Roles = ['dpo', 'platform_admin'];
/** The person's right of access (the export of everything held). */
export const PERSONAL_DATA_EXPORTERS: Roles = ['dpo'];
/** The audit tools (replay, timeline, chain verification). */
export const AUDITORS: Roles = ['auditor'];
/** Who accessed which record. */
export const ACCESS_JOURNAL_READERS: Roles = ['auditor', 'dpo'];
/** Territory-wide reports (indicators, CAOM, continuity). */
export const REPORT_READERS: Roles = ['coordinator', 'auditor'];
/** An organisation's feed of the parcours it follows. */
export const FEED_READERS: Roles = [...CASEWORKERS, 'partner_admin'];
/** Managing organisations: their fields, members and keys (which ones: `managesOrganisation`). */
export const ORGANISATION_ADMINS: Roles = ['platform_admin', 'partner_admin'];
/** An organisation's webhook endpoints (which ones: `managesWebhooks`). */
export const WEBHOOK_MANAGERS: Roles = ['platform_admin', 'partner_admin'];
/** Registering, deactivating, reactivating an organisation. */
export const PLATFORM_ADMINS: Roles = ['platform_admin'];
/** Everyone authenticated (the directory of organisations, oneself). */
export const EVERYONE: Roles = ROLES;
