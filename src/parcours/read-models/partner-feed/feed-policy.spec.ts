import { PARCOURS_EVENT_TYPES } from '../../domain/events.js';
import { diagnosed, employmentContractStarted, opened, personalDataErased } from '../../domain/parcours.fixtures.js';
import { PARTNER_KINDS, type PartnerKind } from '../../../access/roles.js';
import { minimise } from './minimise.js';
import {
  allowanceFor,
  DEFAULT_FEED_POLICY,
  InvalidFeedPolicyError,
  parseFeedPolicy,
  WORKPLACE_FORBIDDEN_FIELDS,
  WORKPLACE_KINDS,
} from './feed-policy.js';
import defaultFeedPolicyFile from './feed-policies/default-feed-policy.json' with { type: 'json' };

/** A deep copy of the default file to break: each test states what it changes. */
function fileWith(change: (document: { profiles: Record<string, { events: Record<string, unknown> }>; kinds: Record<string, unknown> } & Record<string, unknown>) => void): unknown {
  const document = structuredClone(defaultFeedPolicyFile) as unknown as Parameters<typeof change>[0];
  change(document);
  return document;
}

function problemsOf(document: unknown): readonly string[] {
  try {
    parseFeedPolicy(document);
  } catch (error) {
    if (error instanceof InvalidFeedPolicyError) return error.problems;
    throw error;
  }
  throw new Error('the policy was accepted');
}

describe('the default feed policy', () => {
  it('loads, with a version, and maps every partner kind to a profile', () => {
    expect(DEFAULT_FEED_POLICY.version).toBe('spie-63-feed-2026.2');
    expect(Object.keys(DEFAULT_FEED_POLICY.kinds).sort()).toEqual([...PARTNER_KINDS].sort());
    expect(DEFAULT_FEED_POLICY.kinds.departement.profile).toBe('pilot');
    expect(DEFAULT_FEED_POLICY.kinds.employer.profile).toBe('employer');
  });

  it('never gives an employer a health barrier, nor any diagnostic', () => {
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'employer', 'DiagnosticRecorded')).toBeNull();
    expect(minimise(diagnosed(), 'employer', DEFAULT_FEED_POLICY)).toBeNull();
  });

  it.each(WORKPLACE_KINDS)('never gives %s the health, family, housing or finances barriers', (kind) => {
    const barriers = { mobility: 'strong', family: 'strong', health: 'strong', literacy: 'none', housing: 'medium', finances: 'strong', administrative: 'none', digital: 'medium', language: 'none' } as const;
    const delivered = minimise(diagnosed({ barriers }), kind, DEFAULT_FEED_POLICY);
    const received = delivered === null ? {} : (delivered.data.barriers as Record<string, unknown> | undefined) ?? {};
    for (const barrier of ['health', 'family', 'housing', 'finances']) expect(received).not.toHaveProperty(barrier);
  });

  it('gives SIAE and EBE the barriers a workplace can act on', () => {
    for (const kind of ['siae_aci', 'siae_ei', 'siae_etti', 'siae_ai', 'ebe'] as const) {
      expect(minimise(diagnosed(), kind, DEFAULT_FEED_POLICY)?.data).toEqual({
        barriers: { mobility: 'strong', literacy: 'none', administrative: 'none', digital: 'strong', language: 'none' },
        recentActivity: 'job_seeker_24_months_and_over',
        qualificationLevel: '3',
        diagnosedOn: '2026-01-20',
      });
    }
  });

  it('gives the Département and the accompanying organisations the whole diagnostic', () => {
    for (const kind of ['departement', 'france_travail', 'mission_locale', 'cap_emploi', 'association', 'commune'] as const) {
      expect(minimise(diagnosed(), kind, DEFAULT_FEED_POLICY)?.data).toEqual(diagnosed().data);
    }
  });

  it.each(PARTNER_KINDS)('never gives %s the identity, and tells it of an erasure as a bare fact', (kind) => {
    const delivered = minimise(opened(), kind, DEFAULT_FEED_POLICY);
    expect(delivered?.data ?? {}).not.toHaveProperty('identity');
    expect(JSON.stringify(delivered)).not.toContain('ciphertext');
    expect(minimise(personalDataErased(), kind, DEFAULT_FEED_POLICY)).toEqual({ type: 'PersonalDataErased', data: {} });
  });

  it('keeps staff user ids for the Département only', () => {
    const staffIds = ['decidedBy', 'requestedBy', 'referentUserId'];
    const staffIdsOf = (kind: PartnerKind) =>
      PARCOURS_EVENT_TYPES.flatMap((type) => (allowanceFor(DEFAULT_FEED_POLICY, kind, type)?.fields ?? []).filter((field) => staffIds.includes(field)));
    for (const kind of PARTNER_KINDS) if (kind !== 'departement') expect({ kind, staffIds: staffIdsOf(kind) }).toEqual({ kind, staffIds: [] });
    expect(staffIdsOf('departement').sort()).toEqual(['decidedBy', 'decidedBy', 'referentUserId', 'referentUserId', 'requestedBy']);
  });

  it('gives an employer only the contracts it employs under, and no funding flags', () => {
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'employer', 'EmploymentContractStarted')).toEqual({
      fields: ['contractId', 'kind', 'employerPartnerId', 'structureKind', 'weeklyHours', 'startsOn', 'plannedEndOn'],
      scope: 'concerning',
    });
    const received = PARCOURS_EVENT_TYPES.filter((type) => allowanceFor(DEFAULT_FEED_POLICY, 'employer', type) !== null);
    expect(received.sort()).toEqual(
      [
        'ActionPrescribed',
        'ActionStatusChanged',
        'AppointmentRecorded',
        'EmploymentContractEnded',
        'EmploymentContractStarted',
        'FollowUpMemberJoined',
        'FollowUpMemberLeft',
        // The rights notices (RGPD art. 19) reach every recipient.
        'IdentityRectified',
        'ParcoursArchived',
        'PersonalDataErased',
        'ProcessingRestricted',
        'ProcessingRestrictionLifted',
      ].sort(),
    );
    expect(minimise(employmentContractStarted(), 'employer', DEFAULT_FEED_POLICY)?.data).not.toHaveProperty('rsaSocleAtStart');
  });

  it('gives the CAF the suspension it executes, not the diagnostic nor the appointments', () => {
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'caf', 'ParcoursSuspended')?.fields).toEqual(['reason', 'suspendedOn']);
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'caf', 'DiagnosticRecorded')).toBeNull();
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'caf', 'AppointmentRecorded')).toBeNull();
  });

  it('is frozen: a caller cannot widen what a kind receives', () => {
    const fields = allowanceFor(DEFAULT_FEED_POLICY, 'employer', 'EmploymentContractStarted')?.fields as string[];
    expect(() => fields.push('rsaSocleAtStart')).toThrow(TypeError);
    expect(Object.isFrozen(DEFAULT_FEED_POLICY.kinds.employer.events)).toBe(true);
  });

  it('treats an unknown event type as not delivered', () => {
    expect(allowanceFor(DEFAULT_FEED_POLICY, 'departement', 'SomethingNew')).toBeNull();
  });
});

describe('parseFeedPolicy', () => {
  it('accepts the text of the file as well as parsed JSON', () => {
    expect(parseFeedPolicy(JSON.stringify(defaultFeedPolicyFile))).toEqual(DEFAULT_FEED_POLICY);
  });

  it('accepts the object form with a scope, and defaults the scope to "all"', () => {
    const policy = parseFeedPolicy(
      fileWith((document) => {
        document.profiles.pilot.events.ContactRecorded = { fields: ['contactId'], scope: 'concerning' };
        document.profiles.pilot.events.ParcoursResumed = { fields: ['resumedOn'] };
      }),
    );
    expect(allowanceFor(policy, 'departement', 'ContactRecorded')).toEqual({ fields: ['contactId'], scope: 'concerning' });
    expect(allowanceFor(policy, 'departement', 'ParcoursResumed')).toEqual({ fields: ['resumedOn'], scope: 'all' });
  });

  it('lists every problem of a malformed file at once, each naming where it is', () => {
    const document = fileWith((document) => {
      document.kinds.notary = 'pilot';
      document.profiles.pilot.events.ParcoursClosed = ['closedOn'];
      document.profiles.pilot.events.ContactRecorded = ['contactId', 'note.ciphertext'];
    });
    let error: unknown;
    try {
      parseFeedPolicy(document);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidFeedPolicyError);
    const problems = (error as InvalidFeedPolicyError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kinds: unknown partner kind "notary" \(expected one of departement, etat/),
        expect.stringMatching(/^profiles\.pilot\.events: unknown event type "ParcoursClosed"/),
        // The note is free text written about the person: never delivered, whatever the file says.
        expect.stringMatching(/^profiles\.pilot\.events\.ContactRecorded: "note.ciphertext" is personal data and is never delivered to a partner/),
      ]),
    );
    expect(problems).toHaveLength(3);
    expect((error as Error).message).toMatch(/^invalid partner feed policy \(3 problems\):\n- /);
    expect((error as InvalidFeedPolicyError).code).toBe('invalid_feed_policy');
  });

  it('refuses the identity, whatever the kind', () => {
    const problems = problemsOf(fileWith((document) => (document.profiles.pilot.events.ParcoursOpened = ['parcoursId', 'identity.ciphertext'])));
    expect(problems).toEqual(['profiles.pilot.events.ParcoursOpened: "identity.ciphertext" is personal data and is never delivered to a partner']);
    expect(problemsOf(fileWith((document) => (document.profiles.pilot.events.ParcoursOpened = ['identity'])))).toEqual([
      'profiles.pilot.events.ParcoursOpened: "identity" is personal data and is never delivered to a partner',
    ]);
  });

  it('refuses a group, which would deliver barriers added later', () => {
    expect(problemsOf(fileWith((document) => (document.profiles.coordination.events.DiagnosticRecorded = ['barriers'])))).toEqual([
      expect.stringContaining('"barriers" is a group: list the fields it may deliver (barriers.mobility, barriers.family, barriers.health'),
    ]);
  });

  it('refuses a health barrier for an employer or an SIAE, and any diagnostic for an employer', () => {
    const problems = problemsOf(
      fileWith((document) => {
        document.profiles.employer.events.DiagnosticRecorded = ['barriers.mobility'];
        (document.profiles.work_integration.events.DiagnosticRecorded as string[]).push('barriers.health', 'barriers.finances');
      }),
    );
    expect(problems).toContain(
      'kinds.siae_aci (profile "work_integration") must not receive barriers.health, barriers.finances of DiagnosticRecorded: a workplace never learns these barriers',
    );
    expect(problems).toContain('kinds.employer (profile "employer") must not receive DiagnosticRecorded: an employer gets no diagnostic');
    // Every workplace kind mapped to a broken profile is named, so nobody wonders which kinds it hits.
    for (const kind of ['siae_aci', 'siae_ei', 'siae_etti', 'siae_ai', 'ebe'] satisfies PartnerKind[]) {
      expect(problems.some((problem) => problem.startsWith(`kinds.${kind} `) && problem.includes('barriers.health'))).toBe(true);
    }
    // Interim shares the employer profile: the mobility barrier alone is no breach for it.
    expect(problems.filter((problem) => problem.startsWith('kinds.interim '))).toEqual([]);
    expect(problems).toHaveLength(6);
    expect(WORKPLACE_FORBIDDEN_FIELDS).toEqual(['barriers.health', 'barriers.family', 'barriers.housing', 'barriers.finances']);
  });

  it('refuses a workplace mapped to a profile that carries the sensitive barriers', () => {
    const problems = problemsOf(fileWith((document) => (document.kinds.interim = 'accompaniment')));
    expect(problems).toEqual([
      'kinds.interim (profile "accompaniment") must not receive barriers.family, barriers.health, barriers.housing, barriers.finances of DiagnosticRecorded: a workplace never learns these barriers',
    ]);
  });

  it('requires the erasure as a bare fact and the membership events for every kind', () => {
    const problems = problemsOf(
      fileWith((document) => {
        delete document.profiles.benefits.events.PersonalDataErased;
        document.profiles.minimal.events.PersonalDataErased = ['legalGround'];
        delete document.profiles.employer.events.FollowUpMemberLeft;
      }),
    );
    expect(problems).toEqual([
      'kinds.caf (profile "benefits") must receive PersonalDataErased: every recipient is told of an erasure',
      'kinds.interim (profile "employer") must receive FollowUpMemberLeft with its partnerId: a partner\'s tool learns from it that the feed starts or stops',
      'kinds.employer (profile "employer") must receive FollowUpMemberLeft with its partnerId: a partner\'s tool learns from it that the feed starts or stops',
      'kinds.other (profile "minimal") must receive PersonalDataErased as a bare fact: no fields, scope "all"',
    ]);
  });

  it('refuses a missing kind, a profile nobody uses, a kind mapped to no profile', () => {
    const problems = problemsOf(
      fileWith((document) => {
        delete document.kinds.other;
        document.kinds.caf = 'benfits';
      }),
    );
    expect(problems).toEqual([
      'kinds.caf: "benfits" is not a profile of this file (profiles: pilot, coordination, accompaniment, benefits, work_integration, employer, minimal)',
      'kinds.other is missing: map it to a profile',
      'profiles.benefits is used by no kind',
      'profiles.minimal is used by no kind',
    ]);
  });

  it('refuses a "concerning" scope on a type that names no partner, an unknown scope, a field twice', () => {
    const problems = problemsOf(
      fileWith((document) => {
        document.profiles.pilot.events.ParcoursExited = { fields: ['category'], scope: 'concerning' };
        document.profiles.pilot.events.ParcoursResumed = { fields: ['resumedOn'], scope: 'some' };
        document.profiles.pilot.events.ContactRecorded = ['contactId', 'contactId'];
      }),
    );
    expect(problems).toEqual([
      'profiles.pilot.events.ContactRecorded: "contactId" is listed twice',
      'profiles.pilot.events.ParcoursResumed.scope must be "all" or "concerning"',
      'profiles.pilot.events.ParcoursExited.scope "concerning" is impossible: ParcoursExited names no partner (it would deliver nothing)',
    ]);
  });

  it('refuses a misspelt key and a missing version', () => {
    const problems = problemsOf(
      fileWith((document) => {
        delete document.version;
        document.kind = {};
        (document.profiles.pilot as Record<string, unknown>).event = {};
      }),
    );
    expect(problems).toEqual([
      'policy.kind is not expected (expected version, description, profiles, kinds)',
      'version must be a non-empty string',
      'profiles.pilot.event is not expected (expected description, events)',
    ]);
  });

  it('refuses what is not a policy at all', () => {
    expect(problemsOf('{"version": ')).toEqual([expect.stringMatching(/^not JSON: /)]);
    expect(problemsOf([])).toEqual(['the policy must be a JSON object']);
    expect(problemsOf({ version: 'v', profiles: [], kinds: null })).toEqual([
      'profiles must be an object of named profiles',
      'kinds must be an object mapping every partner kind to a profile',
    ]);
  });
});
