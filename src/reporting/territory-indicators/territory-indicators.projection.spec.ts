import fc from 'fast-check';
import type { ParcoursEvent } from '../../parcours/domain/events.js';
import {
  ACI_JARDINS,
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  appointmentRecorded,
  CONSEIL_DEPARTEMENTAL,
  contactRecorded,
  diagnosed,
  employmentContractEnded,
  employmentContractStarted,
  ENGAGEMENT_CONTRACT_ID,
  engagementContractEnded,
  engagementContractSigned,
  exited,
  FRANCE_TRAVAIL_THIERS,
  joined,
  KARIM_AT_FRANCE_TRAVAIL,
  opened,
  oriented,
  PARCOURS_ID,
  personalDataErased,
  archived,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRejected,
  reorientationRequested,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';
import type { ProjectedEvent } from '../../projections/projection.js';
import { project, recorded } from '../../projections/recorded.fixtures.js';
import {
  MalformedParcoursEventError,
  type ParcoursFacts,
  reduceParcoursFacts,
  TERRITORY_INDICATORS_EVENT_TYPES,
  territoryIndicatorsProjection,
} from './territory-indicators.projection.js';
import { factsOfAParcoursOpenedOn5January } from './territory-indicators.fixtures.js';

/*
 * The calendar of parcours.fixtures.ts: entry on 2026-01-05, orientation decided on 2026-02-08
 * (34 days later), Claire assigned on 2026-02-12, a CER from 2026-02-20 to 2026-08-19.
 */

const fold = (records: readonly ProjectedEvent[], from: ParcoursFacts | null = null) => project(territoryIndicatorsProjection.reduce, records, from);

/** The document of a stream written by the decider: it must fold without a projection error. */
function factsOf(events: readonly ParcoursEvent[]): ParcoursFacts {
  const doc = fold(recorded(PARCOURS_ID, events));
  if (doc === null) throw new Error('no document');
  return doc;
}

/** The event the reducer sees after `events`: the next stream version. */
function after(events: readonly ParcoursEvent[], event: ParcoursEvent): ProjectedEvent {
  return recorded(PARCOURS_ID, [event], events.length + 1)[0]!;
}

// States, named after what they leave.
const aParcoursOpenedOn5January = [opened()];
const aParcoursOriented40DaysAfterEntry = [opened(), diagnosed(), oriented({ decidedOn: '2026-02-14', parcoursType: 'emploi' })];
const aParcoursWithItsReferentReleased = [...aParcoursFollowedByClaire, referentReleased({ releasedOn: '2026-03-01' })];
const aParcoursExitedToLastingEmploymentThenReopened = [...aParcoursExitedOn15March, reopened({ reopenedOn: '2026-03-18', reason: 'employment_ended' })];

describe('territory_indicators projection', () => {
  it('is a document projection of the parcours streams, keyed by parcours id, reading only the events it needs', () => {
    expect(territoryIndicatorsProjection).toMatchObject({ kind: 'document', name: 'territory_indicators', schemaVersion: 2, categories: ['parcours'] });
    expect(territoryIndicatorsProjection.indexes).toEqual([expect.stringContaining("((doc ->> 'territory'))")]);
    expect([...territoryIndicatorsProjection.eventTypes].sort()).toEqual(
      [
        'AppointmentRecorded',
        'EmploymentContractStarted',
        'EngagementContractEnded',
        'EngagementContractSigned',
        'OrientationDecided',
        'ParcoursArchived',
        'ParcoursExited',
        'ParcoursOpened',
        'ParcoursReopened',
        'ParcoursResumed',
        'ParcoursSuspended',
        'PersonalDataErased',
        'ReferentAssigned',
        'ReferentReleased',
        'ReorientationDecided',
      ].sort(),
    );
    const [first] = recorded(PARCOURS_ID, [opened()]);
    expect(territoryIndicatorsProjection.keyOf(first!)).toBe(PARCOURS_ID);
    expect(territoryIndicatorsProjection.keyOf({ ...first!, streamId: `partner-${CONSEIL_DEPARTEMENTAL}` })).toBeNull();
  });

  describe('ParcoursOpened', () => {
    it('starts the document with the territory and the entry date, and nothing of the identity', () => {
      const doc = factsOf(aParcoursOpenedOn5January);

      expect(doc).toEqual(factsOfAParcoursOpenedOn5January());
      expect(JSON.stringify(doc)).not.toContain(opened().data.identity.ciphertext);
    });

    it('refuses a second opening and an event before the opening: no decider writes them', () => {
      const doc = factsOf(aParcoursOpenedOn5January);
      expect(() => reduceParcoursFacts(doc, after(aParcoursOpenedOn5January, opened()))).toThrow(MalformedParcoursEventError);
      expect(() => reduceParcoursFacts(null, recorded(PARCOURS_ID, [oriented()])[0]!)).toThrow(/no ParcoursOpened/);
      expect(() => reduceParcoursFacts(null, recorded(PARCOURS_ID, [contactRecorded()])[0]!)).toThrow(/no ParcoursOpened/);
    });

    it('refuses an opening without a calendar date or a territory', () => {
      expect(() => reduceParcoursFacts(null, recorded(PARCOURS_ID, [opened({ entryOn: '2026-02-30' })])[0]!)).toThrow(/entryOn must be a calendar date/);
      expect(() => reduceParcoursFacts(null, recorded(PARCOURS_ID, [opened({ territory: '' })])[0]!)).toThrow(/no territory/);
    });
  });

  describe('orientation', () => {
    it('a parcours oriented 40 days after entry keeps the decision date, the type and the organisme référent', () => {
      expect(factsOf(aParcoursOriented40DaysAfterEntry).orientation).toEqual({
        decidedOn: '2026-02-14',
        parcoursType: 'emploi',
        organismeReferentId: CONSEIL_DEPARTEMENTAL,
      });
    });

    it('refuses a second orientation decision (the decider asks for a reorientation)', () => {
      const doc = factsOf(aParcoursOriented40DaysAfterEntry);
      expect(() => reduceParcoursFacts(doc, after(aParcoursOriented40DaysAfterEntry, oriented({ decidedOn: '2026-03-01' })))).toThrow(/already oriented/);
    });

    it('a parcours reoriented towards France Travail keeps its first orientation and adds the reorientation', () => {
      const events = [...aParcoursFollowedByClaire, reorientationRequested(), reorientationAccepted({ decidedOn: '2026-03-12' })];
      const doc = factsOf(events);

      expect(doc.orientation).toEqual({ decidedOn: '2026-02-08', parcoursType: 'socio_professionnel', organismeReferentId: CONSEIL_DEPARTEMENTAL });
      expect(doc.reorientations).toEqual([{ decidedOn: '2026-03-12', parcoursType: 'emploi', organismeReferentId: FRANCE_TRAVAIL_THIERS }]);
    });

    it('a parcours whose reorientation was rejected has no reorientation', () => {
      const events = [...aParcoursFollowedByClaire, reorientationRequested(), reorientationRejected('2026-03-12')];
      const doc = factsOf(events);

      expect(doc.reorientations).toEqual([]);
      expect(doc).toEqual({ ...factsOf(aParcoursFollowedByClaire), lastVersion: events.length });
    });
  });

  describe('référent', () => {
    it('a parcours followed by Claire has one référent period, still running', () => {
      expect(factsOf(aParcoursFollowedByClaire).referentPeriods).toEqual([{ assignedOn: '2026-02-12', releasedOn: null }]);
    });

    it('a parcours with its référent released closes the period on the release date', () => {
      expect(factsOf(aParcoursWithItsReferentReleased).referentPeriods).toEqual([{ assignedOn: '2026-02-12', releasedOn: '2026-03-01' }]);
    });

    it('a parcours handed over to Karim on 10 March has two periods meeting on that day', () => {
      const handedOver = [
        ...aParcoursFollowedByClaire,
        joined(FRANCE_TRAVAIL_THIERS, '2026-03-10'),
        referentReleased({ reason: 'handover', releasedOn: '2026-03-10' }),
        referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-10'),
      ];
      expect(factsOf(handedOver).referentPeriods).toEqual([
        { assignedOn: '2026-02-12', releasedOn: '2026-03-10' },
        { assignedOn: '2026-03-10', releasedOn: null },
      ]);
    });

    it('refuses a release with nobody in charge and an assignment over a référent in charge', () => {
      const released = factsOf(aParcoursWithItsReferentReleased);
      expect(() => reduceParcoursFacts(released, after(aParcoursWithItsReferentReleased, referentReleased()))).toThrow(/no référent is in charge/);
      const followed = factsOf(aParcoursFollowedByClaire);
      expect(() => reduceParcoursFacts(followed, after(aParcoursFollowedByClaire, referentAssigned(KARIM_AT_FRANCE_TRAVAIL)))).toThrow(
        /a référent is in charge since 2026-02-12/,
      );
    });
  });

  describe('first accompaniment attended', () => {
    const orientedOn8February = [opened(), oriented()];

    it('a parcours seen on 17 February after its orientation on the 8th has its first accompaniment then', () => {
      expect(factsOf([...orientedOn8February, appointmentRecorded({ scheduledOn: '2026-02-17' })]).firstAccompanimentOn).toBe('2026-02-17');
    });

    it('keeps the earliest attended appointment, even when a back-dated one is recorded later', () => {
      const seenTwice = [
        ...orientedOn8February,
        appointmentRecorded({ appointmentId: 'a1', scheduledOn: '2026-02-17' }),
        appointmentRecorded({ appointmentId: 'a2', scheduledOn: '2026-03-03' }),
        appointmentRecorded({ appointmentId: 'a3', scheduledOn: '2026-02-10' }),
      ];
      expect(factsOf(seenTwice).firstAccompanimentOn).toBe('2026-02-10');
    });

    it('a no-show, an excused absence, a cancelled appointment or an orientation appointment is not an accompaniment attended', () => {
      const notSeen = [
        ...orientedOn8February,
        appointmentRecorded({ appointmentId: 'a1', outcome: 'no_show' }),
        appointmentRecorded({ appointmentId: 'a2', outcome: 'excused' }),
        appointmentRecorded({ appointmentId: 'a3', outcome: 'cancelled' }),
        appointmentRecorded({ appointmentId: 'a4', kind: 'orientation' }),
        appointmentRecorded({ appointmentId: 'a5', kind: 'other' }),
      ];
      expect(factsOf(notSeen)).toEqual({ ...factsOf(orientedOn8February), lastVersion: notSeen.length });
    });

    it('an appointment dated before the orientation belongs to the diagnostic, not to the follow-up', () => {
      expect(factsOf([...orientedOn8February, appointmentRecorded({ scheduledOn: '2026-02-01' })]).firstAccompanimentOn).toBeNull();
    });

    it('appointments recorded before a back-dated orientation wait for it, then only those on or after it count', () => {
      const recordedBeforeTheOrientation = [
        opened(),
        appointmentRecorded({ appointmentId: 'a1', scheduledOn: '2026-02-12' }),
        appointmentRecorded({ appointmentId: 'a2', scheduledOn: '2026-02-01' }),
        appointmentRecorded({ appointmentId: 'a3', scheduledOn: '2026-02-12' }),
      ];
      expect(factsOf(recordedBeforeTheOrientation)).toMatchObject({ firstAccompanimentOn: null, accompanimentsSeenBeforeOrientation: ['2026-02-01', '2026-02-12'] });

      const thenOriented = factsOf([...recordedBeforeTheOrientation, oriented({ decidedOn: '2026-02-08' })]);
      expect(thenOriented).toMatchObject({ firstAccompanimentOn: '2026-02-12', accompanimentsSeenBeforeOrientation: [] });
    });

    it('an appointment attended on the day of the orientation counts, recorded before or after it', () => {
      const sameDay = appointmentRecorded({ scheduledOn: '2026-02-08' });
      expect(factsOf([opened(), sameDay, oriented()]).firstAccompanimentOn).toBe('2026-02-08');
      expect(factsOf([opened(), oriented(), sameDay]).firstAccompanimentOn).toBe('2026-02-08');
    });

    it('an orientation after appointments all dated before it has no first accompaniment yet', () => {
      expect(factsOf([opened(), appointmentRecorded({ scheduledOn: '2026-01-20' }), oriented()]).firstAccompanimentOn).toBeNull();
    });
  });

  describe('engagement contracts', () => {
    it('a parcours with a CER running keeps its planned period', () => {
      expect(factsOf([...aParcoursFollowedByClaire, engagementContractSigned({ kind: 'CER' })]).engagementContracts).toEqual([
        { contractId: ENGAGEMENT_CONTRACT_ID, kind: 'CER', startsOn: '2026-02-20', endsOn: '2026-08-19', endedOn: null },
      ]);
    });

    it('a CER replaced by a CE on 10 March keeps its actual end beside the new contract', () => {
      const replaced = [
        ...aParcoursFollowedByClaire,
        engagementContractSigned({ kind: 'CER' }),
        engagementContractEnded({ endedOn: '2026-03-10', reason: 'replaced' }),
        engagementContractSigned({ contractId: 'ce-2', kind: 'CE', signedOn: '2026-03-10', startsOn: '2026-03-11', endsOn: '2026-09-10' }),
      ];
      expect(factsOf(replaced).engagementContracts).toEqual([
        { contractId: ENGAGEMENT_CONTRACT_ID, kind: 'CER', startsOn: '2026-02-20', endsOn: '2026-08-19', endedOn: '2026-03-10' },
        { contractId: 'ce-2', kind: 'CE', startsOn: '2026-03-11', endsOn: '2026-09-10', endedOn: null },
      ]);
    });

    it('refuses the end of an unknown or already ended contract, and a contract id signed twice', () => {
      const running = [...aParcoursFollowedByClaire, engagementContractSigned()];
      const ended = [...running, engagementContractEnded()];
      expect(() => reduceParcoursFacts(factsOf(running), after(running, engagementContractEnded({ contractId: 'unknown' })))).toThrow(/no engagement contract unknown/);
      expect(() => reduceParcoursFacts(factsOf(ended), after(ended, engagementContractEnded()))).toThrow(/already ended on 2026-03-10/);
      expect(() => reduceParcoursFacts(factsOf(running), after(running, engagementContractSigned()))).toThrow(/already signed/);
    });
  });

  describe('employment contracts', () => {
    it('a parcours with a CDDI then a CDI keeps each contract kind and start; the end of a contract is not a fact of the report', () => {
      const hired = [
        ...aParcoursFollowedByClaire,
        employmentContractStarted(),
        employmentContractEnded({ reason: 'hired_permanent', endedOn: '2026-03-16' }),
        employmentContractStarted({ contractId: 'cdi-1', kind: 'CDI', structureKind: null, employerPartnerId: ACI_JARDINS, startsOn: '2026-03-17', plannedEndOn: null }),
      ];
      expect(factsOf(hired).employmentContracts).toEqual([
        { kind: 'CDDI', startsOn: '2026-03-02' },
        { kind: 'CDI', startsOn: '2026-03-17' },
      ]);
      expect(TERRITORY_INDICATORS_EVENT_TYPES).not.toContain('EmploymentContractEnded');
    });
  });

  describe('status, exits and reopenings', () => {
    it('a parcours suspended since 5 March is suspended, and open again once resumed', () => {
      const suspendedSince5March = [...aParcoursFollowedByClaire, suspended()];
      expect(factsOf(suspendedSince5March).status).toBe('suspended');
      expect(factsOf([...suspendedSince5March, resumed()]).status).toBe('open');
    });

    it('a parcours exited to lasting employment on 15 March is exited with its category and date', () => {
      const doc = factsOf(aParcoursExitedOn15March);
      expect(doc).toMatchObject({
        status: 'exited',
        exits: [{ category: 'emploi_durable', exitedOn: '2026-03-15', reopenedOn: null, reopenReason: null }],
        referentPeriods: [{ assignedOn: '2026-02-12', releasedOn: '2026-03-15' }],
        engagementContracts: [expect.objectContaining({ endedOn: '2026-03-15' })],
      });
    });

    it('a parcours exited to lasting employment then reopened is open, its exit kept with the reopening', () => {
      const doc = factsOf(aParcoursExitedToLastingEmploymentThenReopened);
      expect(doc.status).toBe('open');
      expect(doc.exits).toEqual([{ category: 'emploi_durable', exitedOn: '2026-03-15', reopenedOn: '2026-03-18', reopenReason: 'employment_ended' }]);
    });

    it('a parcours exited twice keeps both exits in order', () => {
      const events = [...aParcoursExitedToLastingEmploymentThenReopened, exited({ category: 'autre', reason: 'moved_out_of_territory', exitedOn: '2026-03-19' })];
      expect(factsOf(events).exits.map((exit) => [exit.category, exit.exitedOn, exit.reopenedOn])).toEqual([
        ['emploi_durable', '2026-03-15', '2026-03-18'],
        ['autre', '2026-03-19', null],
      ]);
    });

    it('refuses a reopening without an exit and an exit of an exited parcours', () => {
      const open = factsOf(aParcoursFollowedByClaire);
      expect(() => reduceParcoursFacts(open, after(aParcoursFollowedByClaire, reopened()))).toThrow(/has not exited/);
      const reopenedDoc = factsOf(aParcoursExitedToLastingEmploymentThenReopened);
      expect(() => reduceParcoursFacts(reopenedDoc, after(aParcoursExitedToLastingEmploymentThenReopened, reopened()))).toThrow(/has not exited/);
      const exitedDoc = factsOf(aParcoursExitedOn15March);
      expect(() => reduceParcoursFacts(exitedDoc, after(aParcoursExitedOn15March, exited()))).toThrow(/already exited on 2026-03-15/);
    });
  });

  describe('archive', () => {
    it('keeps the archive date, and nothing else changes', () => {
      const archivedLater = [...aParcoursOpenedOn5January, archived({ archivedOn: '2028-01-06' })];
      expect(factsOf(archivedLater)).toEqual({ ...factsOf(aParcoursOpenedOn5January), archivedOn: '2028-01-06', lastVersion: archivedLater.length });
    });
  });

  describe('personal data erased', () => {
    it('only sets the flag: the facts of an erased parcours survive', () => {
      const erased = [...aParcoursExitedOn15March, personalDataErased()];
      expect(factsOf(erased)).toEqual({ ...factsOf(aParcoursExitedOn15March), personalDataErased: true, lastVersion: erased.length });
    });
  });

  describe('events it does not read', () => {
    it('only move the version on, should the runner deliver them anyway', () => {
      const withContact = [...aParcoursFollowedByClaire, contactRecorded()];
      expect(factsOf(withContact)).toEqual({ ...factsOf(aParcoursFollowedByClaire), lastVersion: withContact.length });
    });
  });

  it('refuses a date that is not a calendar date: the report would count NaN days', () => {
    expect(() => factsOf([opened(), oriented({ decidedOn: '8 février 2026' })])).toThrow(/decidedOn must be a calendar date YYYY-MM-DD, got "8 février 2026"/);
    expect(() => factsOf([opened(), oriented(), appointmentRecorded({ scheduledOn: '2026-13-01' })])).toThrow(/scheduledOn/);
  });

  describe('idempotence', () => {
    it('returns the very document for an event it has already applied', () => {
      const records = recorded(PARCOURS_ID, [...aParcoursFollowedByClaire, engagementContractSigned()]);
      const doc = fold(records);

      for (const record of records) expect(territoryIndicatorsProjection.reduce(doc, record)).toBe(doc);
    });

    it('a batch redelivered after a crash leaves the document as applying it once', () => {
      const records = recorded(PARCOURS_ID, aParcoursExitedToLastingEmploymentThenReopened);
      const once = fold(records);
      const firstHalf = fold(records.slice(0, 6));
      // The runner crashed after the first half, restarted from an older checkpoint and sends everything again.
      expect(fold(records, firstHalf)).toEqual(once);
      expect(fold(records, once)).toBe(once);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property: however the runner cuts the stream into batches, the document is the same.

/** What a well-formed stream's next event may be depends on what happened: a tiny decider. */
interface Model {
  oriented: boolean;
  referentInCharge: boolean;
  openContract: string | null;
  contracts: number;
  exited: boolean;
  suspended: boolean;
}

const STEP_KINDS = [
  'orient',
  'reorient',
  'assign',
  'release',
  'appointment',
  'sign',
  'endContract',
  'employment',
  'suspend',
  'resume',
  'exit',
  'reopen',
  'erase',
  'contact',
] as const;

interface Step {
  kind: (typeof STEP_KINDS)[number];
  /** Days after the entry: steps are not in date order, as back-dated facts are not. */
  day: number;
  seen: boolean;
  accepted: boolean;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...STEP_KINDS),
  day: fc.integer({ min: 0, max: 400 }),
  seen: fc.boolean(),
  accepted: fc.boolean(),
});

function dayAfterEntry(days: number): string {
  const date = new Date(Date.UTC(2025, 0, 6 + days));
  return date.toISOString().slice(0, 10);
}

/** A stream a decider could have written, from random steps (steps not allowed at that point are dropped). */
function wellFormedStream(steps: readonly Step[]): ParcoursEvent[] {
  const events: ParcoursEvent[] = [opened({ entryOn: dayAfterEntry(0) })];
  const model: Model = { oriented: false, referentInCharge: false, openContract: null, contracts: 0, exited: false, suspended: false };
  for (const step of steps) {
    const on = dayAfterEntry(step.day);
    if (model.exited && step.kind !== 'reopen' && step.kind !== 'erase') continue;
    switch (step.kind) {
      case 'orient':
        if (model.oriented) break;
        model.oriented = true;
        events.push(oriented({ decidedOn: on, parcoursType: step.accepted ? 'social' : 'emploi' }));
        break;
      case 'reorient':
        if (!model.oriented) break;
        events.push(reorientationRequested({ requestedOn: on }), step.accepted ? reorientationAccepted({ decidedOn: on }) : reorientationRejected(on));
        break;
      case 'assign':
        if (model.referentInCharge) events.push(referentReleased({ reason: 'handover', releasedOn: on }));
        model.referentInCharge = true;
        events.push(referentAssigned(undefined, undefined, on));
        break;
      case 'release':
        if (!model.referentInCharge) break;
        model.referentInCharge = false;
        events.push(referentReleased({ releasedOn: on }));
        break;
      case 'appointment':
        events.push(appointmentRecorded({ appointmentId: `a${events.length}`, scheduledOn: on, outcome: step.seen ? 'seen' : 'no_show' }));
        break;
      case 'sign': {
        if (model.openContract !== null) break;
        model.contracts += 1;
        model.openContract = `ce-${model.contracts}`;
        events.push(engagementContractSigned({ contractId: model.openContract, signedOn: on, startsOn: on, endsOn: dayAfterEntry(step.day + 180) }));
        break;
      }
      case 'endContract':
        if (model.openContract === null) break;
        events.push(engagementContractEnded({ contractId: model.openContract, endedOn: on }));
        model.openContract = null;
        break;
      case 'employment':
        events.push(employmentContractStarted({ contractId: `emp-${events.length}`, kind: step.seen ? 'PEC' : 'CDDI', startsOn: on }));
        break;
      case 'suspend':
        if (model.suspended) break;
        model.suspended = true;
        events.push(suspended({ suspendedOn: on }));
        break;
      case 'resume':
        if (!model.suspended) break;
        model.suspended = false;
        events.push(resumed(on));
        break;
      case 'exit':
        if (model.referentInCharge) events.push(referentReleased({ reason: 'parcours_exited', releasedOn: on }));
        if (model.openContract !== null) events.push(engagementContractEnded({ contractId: model.openContract, endedOn: on, reason: 'parcours_exited' }));
        events.push(exited({ exitedOn: on, category: step.seen ? 'emploi_durable' : 'autre' }));
        Object.assign(model, { referentInCharge: false, openContract: null, exited: true, suspended: false });
        break;
      case 'reopen':
        if (!model.exited) break;
        model.exited = false;
        events.push(reopened({ reopenedOn: on, reason: step.accepted ? 'exit_recorded_in_error' : 'rsa_rights_reopened' }));
        break;
      case 'erase':
        events.push(personalDataErased({ erasedOn: on }));
        break;
      case 'contact':
        events.push(contactRecorded({ contactId: `c${events.length}`, contactedOn: on }));
        break;
    }
  }
  return events;
}

/** The document as the runner stores it between batches: jsonb. */
function stored(doc: ParcoursFacts | null): ParcoursFacts | null {
  return doc === null ? null : (JSON.parse(JSON.stringify(doc)) as ParcoursFacts);
}

describe('territory_indicators projection, whatever the batches', () => {
  const streamArbitrary = fc.array(stepArbitrary, { maxLength: 40 }).map((steps) => recorded(PARCOURS_ID, wellFormedStream(steps)));

  it('two batches, the second redelivering part of the first, give the document of one-by-one application', () => {
    fc.assert(
      fc.property(streamArbitrary, fc.nat(), fc.nat(), (records, cutSeed, overlapSeed) => {
        const oneByOne = fold(records);
        const cut = cutSeed % (records.length + 1);
        const restartFrom = cut === 0 ? 0 : overlapSeed % (cut + 1);
        const firstBatch = stored(fold(records.slice(0, cut)));
        expect(fold(records.slice(restartFrom), firstBatch)).toEqual(oneByOne);
      }),
      { numRuns: 300 },
    );
  });

  it('every event delivered twice in a row gives the same document', () => {
    fc.assert(
      fc.property(streamArbitrary, (records) => {
        expect(fold(records.flatMap((record) => [record, record]))).toEqual(fold(records));
      }),
      { numRuns: 200 },
    );
  });
});
