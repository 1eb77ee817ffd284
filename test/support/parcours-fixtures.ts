import { randomUUID } from 'node:crypto';
import type { Consortium } from './consortium.js';
import { type ConsortiumClient, consortiumClient } from './http.js';
import { uniqueLastName } from './people.js';

/** The identity of a made-up person; a fresh last name unless one is given (one open parcours per person). */
export interface TestIdentity {
  firstName?: string;
  lastName?: string;
  birthDate?: string;
  [field: string]: unknown;
}

export interface OpenParcoursOptions {
  identity?: TestIdentity;
  entryOn?: string;
  territory?: string;
  rsaSocle?: boolean;
  /** Who opens it; the Département's orientation manager by default. */
  openedBy?: string;
}

export type BarrierLevel = 'none' | 'medium' | 'strong';

export interface OrientedParcoursOptions extends OpenParcoursOptions {
  /** A diagnostic recorded on that day before the orientation; none by default. */
  diagnosedOn?: string;
  /** The diagnostic's barriers, over strong mobility, medium finances and none else. */
  barriers?: Partial<Record<'mobility' | 'family' | 'health' | 'literacy' | 'housing' | 'finances' | 'administrative' | 'digital' | 'language', BarrierLevel>>;
  orientedOn?: string;
  notifiedOn?: string;
  parcoursType?: 'emploi' | 'socio_professionnel' | 'social';
  /** The organisme référent's id; the mission locale by default. */
  organismeReferentId?: string;
}

export interface FollowedParcoursOptions extends OrientedParcoursOptions {
  referentAssignedOn?: string;
  /** A member of the organisme référent; `ml-referent` by default. */
  referent?: string;
}

/**
 * The body of an opening (POST /v1/parcours): a beneficiary of the RSA socle, reported by the CAF,
 * entered on 12 January 2026 in Thiers, unless told otherwise.
 */
export function anOpening(options: OpenParcoursOptions = {}) {
  return {
    identity: { firstName: 'Lou', birthDate: '1988-04-12', ...options.identity, lastName: options.identity?.lastName ?? uniqueLastName('Parcours') },
    householdRole: 'demandeur',
    rsaSocle: options.rsaSocle ?? true,
    entryOn: options.entryOn ?? '2026-01-12',
    territory: options.territory ?? 'cc-thiers-dore-et-montagne',
    source: 'caf',
  };
}

/** The body of a contrat d'engagement signed (POST …/engagement-contracts): a CE of 15 hours a week, from the day it is signed. */
export function anEngagementContract({ signedOn, endsOn, contractId = randomUUID() }: { signedOn: string; endsOn: string; contractId?: string }) {
  return { contractId, kind: 'CE', signedOn, startsOn: signedOn, endsOn, weeklyActivityHours: 15 };
}

/**
 * Parcours in the states the e2e suites start from, written through the API as a caseworker would:
 * opened by the Département in Thiers (`anOpenParcours`), oriented (`anOrientedParcours`, to the
 * mission locale by default, diagnosed first if asked), followed by a référent (`aFollowedParcours`).
 * Each step's date is a parameter, since the continuity rules and reports read them.
 */
function parcoursFixtures(client: ConsortiumClient, consortium: () => Consortium) {
  async function anOpenParcours(options: OpenParcoursOptions = {}): Promise<string> {
    const { parcoursId } = await client.post(options.openedBy ?? 'cd63-orientation_manager', '/v1/parcours', anOpening(options));
    return parcoursId as string;
  }

  async function anOrientedParcours(options: OrientedParcoursOptions = {}): Promise<string> {
    const parcoursId = await anOpenParcours(options);
    if (options.diagnosedOn) {
      await client.post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/diagnostics`, {
        barriers: { mobility: 'strong', family: 'none', health: 'none', literacy: 'none', housing: 'none', finances: 'medium', administrative: 'none', digital: 'none', language: 'none', ...options.barriers },
        recentActivity: 'inactive',
        qualificationLevel: '3',
        diagnosedOn: options.diagnosedOn,
      });
    }
    await client.post('cd63-orientation_manager', `/v1/parcours/${parcoursId}/orientation`, {
      parcoursType: options.parcoursType ?? 'emploi',
      organismeReferentId: options.organismeReferentId ?? consortium().missionLocale.id,
      reason: 'diagnostic_outcome',
      decidedOn: options.orientedOn ?? options.entryOn ?? '2026-01-12',
      ...(options.notifiedOn ? { notifiedOn: options.notifiedOn } : {}),
    });
    return parcoursId;
  }

  async function aFollowedParcours(options: FollowedParcoursOptions = {}): Promise<string> {
    const parcoursId = await anOrientedParcours(options);
    const referent = options.referent ?? 'ml-referent';
    await client.post(referent, `/v1/parcours/${parcoursId}/referent`, {
      referentUserId: referent,
      assignedOn: options.referentAssignedOn ?? options.orientedOn ?? options.entryOn ?? '2026-01-12',
    });
    return parcoursId;
  }

  return { anOpenParcours, anOrientedParcours, aFollowedParcours };
}

/**
 * For the suites that send requests and make parcours alike: the consortium's client
 * (consortiumClient) and the parcours fixtures written through it, in one object.
 */
export function clientWithParcours(service: () => { baseUrl: string }, consortium: () => Consortium): ConsortiumClient & ReturnType<typeof parcoursFixtures> {
  const client = consortiumClient(service, consortium);
  return { ...client, ...parcoursFixtures(client, consortium) };
}
