import type { RecordedEvent } from '../../event-store/event-store.js';
import type { Finding } from '../../continuity/findings.js';
import { DEFAULT_POLICY } from '../../continuity/policy.js';
import { evaluateContinuity } from '../../continuity/rules.js';
import { continuityEventsOf } from '../../continuity/parcours-history.js';
import { PARCOURS_EVENT_TYPES } from '../../parcours/domain/events.js';
import {
  aParcoursExitedOn15March,
  aParcoursFollowedByClaire,
  aParcoursWithACddiRunning,
  anOpenParcours,
  appointmentRecorded,
  archived,
  CONSEIL_DEPARTEMENTAL,
  COORDINATOR,
  employmentContractStarted,
  engagementContractSigned,
  exited,
  FRANCE_TRAVAIL_THIERS,
  franceTravailRegistered,
  identityRectified,
  KARIM_AT_FRANCE_TRAVAIL,
  MISSION_LOCALE,
  opened,
  oriented,
  personalDataErased,
  processingRestricted,
  processingRestrictionLifted,
  referentAssigned,
  referentReleased,
  reopened,
  resumed,
  suspended,
  TODAY,
} from '../../parcours/domain/parcours.fixtures.js';
import { buildTimeline, type Timeline } from './timeline.js';
import {
  aHistoryWithEveryEventType,
  CIPHERTEXT,
  CLAIRE_REFERENT,
  COORDINATOR_AT_CD,
  eventIdOf,
  PARTNER_NAMES,
  recordedHistory,
} from './timeline.fixtures.js';

/** The history of every event type, without its erasure, then the person's rights, the archive two years on, the erasure two more years on. */
function aHistoryEndingInTheArchive() {
  const dpo = { userId: COORDINATOR, partnerId: CONSEIL_DEPARTEMENTAL, role: 'dpo' };
  return [
    ...aHistoryWithEveryEventType().slice(0, -1),
    { event: franceTravailRegistered('2026-08-20') },
    // From the CAF monthly file (intake): no caseworker.
    { event: { type: 'RsaRightsRecorded' as const, data: { rights: 'socle_majore' as const, rsaSocle: true, rightsOn: '2026-08-20', source: 'caf' as const } }, actor: {} },
    { event: processingRestricted({ restrictedOn: '2026-08-21' }), actor: dpo },
    { event: processingRestrictionLifted({ liftedOn: '2026-08-24' }), actor: dpo },
    { event: processingRestricted({ right: 'opposition', ground: 'particular_situation', restrictedOn: '2026-08-25' }), actor: dpo },
    { event: identityRectified({ fields: ['lastName', 'birthDate'], rectifiedOn: '2026-08-26' }), actor: dpo },
    { event: archived({ archivedOn: '2028-08-27', lastActivityOn: '2026-08-20' }), actor: {} },
    { event: personalDataErased({ legalGround: 'retention_period_elapsed', erasedOn: '2030-08-27' }), actor: {} },
  ];
}

function timelineOf(events: readonly RecordedEvent[], findings: readonly Finding[] = [], asOf?: string): Timeline {
  return buildTimeline(events, findings, { partnerNames: PARTNER_NAMES, ...(asOf === undefined ? {} : { asOf }) });
}

describe('buildTimeline', () => {
  describe('entries', () => {
    const events = recordedHistory(aHistoryWithEveryEventType());
    const timeline = timelineOf(events);

    it('covers every event type of the catalogue', () => {
      const covered = new Set([...timeline.entries, ...timelineOf(recordedHistory(aHistoryEndingInTheArchive())).entries].map((entry) => entry.type));
      expect(covered).toEqual(new Set(PARCOURS_EVENT_TYPES));
    });

    it('orders entries by business date, then stream version, whatever the recording order', () => {
      const versions = timeline.entries.map((entry) => entry.streamVersion);
      // v12 is a contact of 02/03 recorded on 18/03; v16 (02/04) precedes v15 (03/04).
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11, 13, 14, 16, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]);
      const dates = timeline.entries.map((entry) => entry.on);
      expect([...dates].sort()).toEqual(dates);
    });

    it('labels every event type in French from its coded fields', () => {
      expect(timeline.entries.map((entry) => [entry.streamVersion, entry.label])).toEqual([
        [1, 'Entrée dans le parcours : demandeur, bénéficiaire du RSA socle, 26 à 49 ans, adressé par la CAF, territoire CC Thiers Dore et Montagne'],
        [2, "Diagnostic : freins forts (mobilité, numérique), freins moyens (santé, finances) ; demandeur d'emploi depuis 24 mois ou plus ; CAP-BEP (niveau 3)"],
        [3, 'Orientation décidée : parcours socio-professionnel, organisme référent Conseil départemental du Puy-de-Dôme, notifiée le 10/02/2026 (selon le diagnostic)'],
        [4, 'Entrée dans le groupe de suivi : Conseil départemental du Puy-de-Dôme'],
        [5, 'Référent désigné : référent n° 1, Conseil départemental du Puy-de-Dôme'],
        [6, 'Rendez-vous : accompagnement, honoré, Conseil départemental du Puy-de-Dôme'],
        [7, "Contrat d'engagement signé : CER (contrat d'engagement réciproque), du 20/02/2026 au 19/08/2026, 15 h d'activité par semaine"],
        [8, 'Action prescrite : aide à la mobilité, Mission locale de Thiers'],
        [9, 'Action mise à jour : aide à la mobilité, commencée'],
        [12, 'Contact : par téléphone, Conseil départemental du Puy-de-Dôme'],
        [10, "Suspension-remobilisation : refus du contrat d'engagement, 30 % de l'allocation suspendue, jusqu'au 05/07/2026"],
        [11, 'Reprise du parcours'],
        [13, 'Réorientation demandée : freins levés, vers un parcours emploi'],
        [14, 'Réorientation acceptée : parcours emploi, organisme référent France Travail Thiers'],
        [16, 'Entrée dans le groupe de suivi : France Travail Thiers'],
        [15, 'Référent libéré : référent n° 1, Conseil départemental du Puy-de-Dôme (réorientation)'],
        [17, "Contrat d'engagement terminé : CER (réorientation)"],
        [18, 'Référent désigné : référent n° 2, France Travail Thiers'],
        [19, 'Sortie du groupe de suivi : Conseil départemental du Puy-de-Dôme'],
        [20, "Contrat d'engagement signé : PPAE (projet personnalisé d'accès à l'emploi), du 21/04/2026 au 20/10/2026, 15 h d'activité par semaine"],
        [21, 'Rendez-vous : accompagnement, absence non excusée, France Travail Thiers'],
        [22, 'Contrat de travail commencé : CDDI en ACI, Les Jardins de Thiers, 26 h par semaine, du 04/05/2026 au 31/10/2026 (prévu)'],
        [23, 'Contrat de travail terminé : CDDI (rupture anticipée)'],
        [24, 'Sortie du parcours : emploi de transition (CDD de 6 mois ou plus)'],
        [25, "Réouverture du parcours : fin de l'emploi"],
        [26, 'Réorientation refusée : orientation actuelle adaptée'],
        [27, "Effacement des données personnelles : demande d'effacement accordée"],
      ]);
      for (const entry of timeline.entries) expect(entry.label).toBe(entry.detail === '' ? entry.title : `${entry.title} : ${entry.detail}`);
    });

    it('reads the orientation as the auditors expect it', () => {
      const [entry] = timelineOf(recordedHistory([opened(), oriented({ parcoursType: 'emploi', organismeReferentId: MISSION_LOCALE })])).entries.slice(1);
      expect(entry.title).toBe('Orientation décidée');
      expect(entry.label.startsWith('Orientation décidée : parcours emploi, organisme référent Mission locale de Thiers')).toBe(true);
    });

    it('carries the store identity of each event: id, version, hash, recording time', () => {
      const entry = timeline.entries.find((candidate) => candidate.streamVersion === 12);
      const record = events[11];
      expect(entry).toMatchObject({ eventId: record.eventId, streamVersion: 12, hash: record.hash, recordedAt: '2026-03-18T15:30:00.000Z', on: '2026-03-02', type: 'ContactRecorded' });
      expect(record.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('names the acting organisation and role from the metadata, the name only when known', () => {
      expect(timeline.entries[0].actor).toEqual({ partnerId: CONSEIL_DEPARTEMENTAL, partnerName: 'Conseil départemental du Puy-de-Dôme', role: 'coordinator' });
      const unknown = buildTimeline(recordedHistory([{ event: opened(), actor: { userId: 'u', partnerId: 'p-unknown', role: 'referent' } }]), [], {});
      expect(unknown.entries[0].actor).toEqual({ partnerId: 'p-unknown', role: 'referent' });
      const anonymous = buildTimeline(recordedHistory([{ event: opened(), actor: {} }]), [], {});
      expect(anonymous.entries[0].actor).toEqual({ partnerId: null, role: null });
    });

    it('shows a partner id when its name is unknown', () => {
      const [, orientation] = buildTimeline(recordedHistory([opened(), oriented()]), [], {}).entries;
      expect(orientation.detail).toContain(`organisme référent ${CONSEIL_DEPARTEMENTAL}`);
    });

    it('keeps an event type outside the catalogue, without printing its data', () => {
      const [first] = recordedHistory([opened()]);
      const foreign: RecordedEvent = { ...first, eventId: eventIdOf(2), streamVersion: 2, type: 'LegacyNoteAdded', data: { note: 'texte libre' }, metadata: { ...first.metadata, occurredAt: '2026-01-07T10:00:00+01:00' } };
      const [, entry] = timelineOf([first, foreign]).entries;
      expect(entry).toMatchObject({ on: '2026-01-07', type: 'LegacyNoteAdded', title: 'Événement hors catalogue', detail: 'LegacyNoteAdded' });
      expect(JSON.stringify(entry)).not.toContain('texte libre');
    });

    it('never carries the identity nor any ciphertext', () => {
      const json = JSON.stringify(timeline);
      expect(json).not.toContain(CIPHERTEXT);
      expect(json).not.toContain('ciphertext');
      expect(json).not.toContain('identity');
      // Nor the caseworkers' user ids: référents are told apart by rank.
      expect(json).not.toContain(KARIM_AT_FRANCE_TRAVAIL);
      expect(json).not.toContain(CLAIRE_REFERENT.userId);
    });
  });

  describe("the person's rights and the archive", () => {
    const events = recordedHistory(aHistoryEndingInTheArchive());
    const timeline = timelineOf(events);

    it('labels a change of RSA rights from the monthly file', () => {
      expect(timeline.entries.find((entry) => entry.type === 'RsaRightsRecorded')?.label).toBe('Droits au RSA : RSA socle majoré (flux CAF)');
    });

    it('labels them in French, naming the corrected fields but never their values', () => {
      expect(timeline.entries.slice(-6).map((entry) => entry.label)).toEqual([
        'Limitation du traitement : exactitude des données contestée',
        'Levée : limitation du traitement',
        'Opposition au traitement : situation particulière de la personne',
        "Rectification de l'identité : nom, date de naissance",
        'Archivage intermédiaire : sans activité depuis le 20/08/2026',
        'Effacement des données personnelles : durée de conservation écoulée',
      ]);
      expect(JSON.stringify(timeline)).not.toContain('v1.rectified.identity');
    });

    it('marks them as decisions on the chart', () => {
      const rights = timeline.markers.filter((marker) => events.slice(-6).some((event) => marker.eventId === event.eventId));
      expect(rights.map((marker) => marker.group)).toEqual(['decision', 'decision', 'decision', 'decision', 'decision', 'decision']);
    });

    it('ends the follow-up at the archive: a last phase of its own, the référent and the contract cut there', () => {
      const archive = events.at(-2)!;
      expect(timeline.lanes.phases.at(-1)).toMatchObject({ phase: 'archived', start: '2028-08-27', end: null, label: 'Archive intermédiaire', eventIds: [archive.eventId] });
      expect(timeline.lanes.phases.at(-2)).toMatchObject({ end: '2028-08-26' });
      expect(timeline.lanes.referents.at(-1)).toMatchObject({ ordinal: 2, end: '2028-08-26', cutByExit: true });
      expect(timeline.lanes.engagementContracts.at(-1)).toMatchObject({ end: '2028-08-27', cutByExit: true });
    });
  });

  describe('back-dating', () => {
    it('flags an event recorded more than one day after its business date', () => {
      const timeline = timelineOf(recordedHistory(aHistoryWithEveryEventType()));
      expect(timeline.entries.filter((entry) => entry.backDated).map((entry) => entry.streamVersion)).toEqual([12]);
      // Recorded one day late (v14, v16, v20): not back-dated.
      expect(timeline.entries.find((entry) => entry.streamVersion === 20)?.backDated).toBe(false);
    });

    it('reads the recording day in Paris: 23:30 UTC is already the next day', () => {
      const [first, second] = recordedHistory([opened(), oriented({ decidedOn: '2026-02-08' })]);
      const lateEvening = { ...second, recordedAt: '2026-02-09T23:30:00.000Z' };
      const sameEveningUtc = { ...second, recordedAt: '2026-02-09T22:30:00.000Z' };
      expect(timelineOf([first, lateEvening]).entries[1].backDated).toBe(true);
      expect(timelineOf([first, sameEveningUtc]).entries[1].backDated).toBe(false);
    });
  });

  describe('lanes', () => {
    it('draws the phases: entry, orientation, accompaniment from the first attended appointment', () => {
      const { phases } = timelineOf(recordedHistory(aHistoryWithEveryEventType())).lanes;
      expect(phases.map(({ phase, parcoursType, start, end }) => [phase, parcoursType, start, end])).toEqual([
        ['entry', null, '2026-01-05', '2026-02-07'],
        ['orientation', 'socio_professionnel', '2026-02-08', '2026-02-16'],
        ['accompaniment', 'socio_professionnel', '2026-02-17', '2026-04-01'],
        // The accepted reorientation hands the parcours over; the new contract starts the accompaniment.
        ['orientation', 'emploi', '2026-04-02', '2026-04-20'],
        ['accompaniment', 'emploi', '2026-04-21', '2026-07-14'],
        ['exited', 'emploi', '2026-07-15', '2026-08-02'],
        // Reopened: the parcours resumes where it was.
        ['accompaniment', 'emploi', '2026-08-03', null],
      ]);
      expect(phases[5].label).toBe('Sorti : emploi de transition');
    });

    it('starts the accompaniment only once oriented: an earlier appointment or contract leaves the parcours in entry', () => {
      const events = recordedHistory([
        opened(),
        appointmentRecorded({ scheduledOn: '2026-01-20' }),
        engagementContractSigned({ kind: 'PPAE', signedOn: '2026-01-22', startsOn: '2026-01-22' }),
        oriented(),
        appointmentRecorded({ appointmentId: 'a2b3c4d5-e6f7-4809-9a1b-000000000002', scheduledOn: '2026-02-17', outcome: 'no_show' }),
      ]);
      expect(timelineOf(events).lanes.phases.map(({ phase, start, end }) => [phase, start, end])).toEqual([
        ['entry', '2026-01-05', '2026-02-07'],
        // A missed appointment is not an accompaniment.
        ['orientation', '2026-02-08', null],
      ]);
    });

    it('drops a phase that lasted no day', () => {
      const { phases } = timelineOf(recordedHistory([opened(), oriented({ decidedOn: '2026-01-05', notifiedOn: null })])).lanes;
      expect(phases.map((phase) => phase.phase)).toEqual(['orientation']);
    });

    it('gives a référent handover two bars, the first ending the day before the second begins', () => {
      const events = recordedHistory([
        ...aParcoursFollowedByClaire,
        { event: referentReleased({ reason: 'handover', releasedOn: '2026-03-01' }), actor: COORDINATOR_AT_CD },
        { event: referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-01'), actor: COORDINATOR_AT_CD },
      ]);
      const { referents } = timelineOf(events).lanes;
      expect(referents).toEqual([
        {
          start: '2026-02-12',
          end: '2026-02-28',
          label: 'Référent n° 1 · Conseil départemental du Puy-de-Dôme',
          eventIds: [eventIdOf(5), eventIdOf(6)],
          cutByExit: false,
          ordinal: 1,
          partnerId: CONSEIL_DEPARTEMENTAL,
          partnerName: 'Conseil départemental du Puy-de-Dôme',
          releaseReason: 'handover',
        },
        {
          start: '2026-03-01',
          end: null,
          label: 'Référent n° 2 · France Travail Thiers',
          eventIds: [eventIdOf(7)],
          cutByExit: false,
          ordinal: 2,
          partnerId: FRANCE_TRAVAIL_THIERS,
          partnerName: 'France Travail Thiers',
          releaseReason: null,
        },
      ]);
    });

    it('shows the gap of a handover released before the next assignment', () => {
      const events = recordedHistory([
        ...aParcoursFollowedByClaire,
        referentReleased({ releasedOn: '2026-03-01' }),
        referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-03-12'),
      ]);
      expect(timelineOf(events).lanes.referents.map(({ start, end }) => [start, end])).toEqual([
        ['2026-02-12', '2026-02-28'],
        ['2026-03-12', null],
      ]);
    });

    it('closes the bars at an exit as the decider writes it (release and contract end first)', () => {
      const { lanes } = timelineOf(recordedHistory(aParcoursExitedOn15March));
      expect(lanes.referents.map(({ end, releaseReason, cutByExit }) => ({ end, releaseReason, cutByExit }))).toEqual([
        { end: '2026-03-14', releaseReason: 'parcours_exited', cutByExit: false },
      ]);
      expect(lanes.engagementContracts.map(({ start, end, endReason, plannedEnd }) => ({ start, end, endReason, plannedEnd }))).toEqual([
        { start: '2026-02-20', end: '2026-03-15', endReason: 'parcours_exited', plannedEnd: '2026-08-19' },
      ]);
      expect(lanes.phases.at(-1)).toMatchObject({ phase: 'exited', start: '2026-03-15', end: null, label: 'Sorti : emploi durable' });
    });

    it('cuts the bars still open at an exit, and draws an employment contract again after a reopening', () => {
      const events = recordedHistory([...aParcoursWithACddiRunning, exited({ exitedOn: '2026-03-15' }), reopened({ reopenedOn: '2026-03-18' })]);
      const { referents, employmentContracts } = timelineOf(events).lanes;
      expect(referents.map(({ start, end, cutByExit }) => [start, end, cutByExit])).toEqual([
        ['2026-02-12', '2026-03-14', true],
        ['2026-03-18', null, false],
      ]);
      expect(employmentContracts.map(({ start, end, cutByExit, eventIds }) => [start, end, cutByExit, eventIds])).toEqual([
        ['2026-03-02', '2026-03-15', true, [eventIdOf(6), eventIdOf(7)]],
        ['2026-03-18', null, false, [eventIdOf(8)]],
      ]);
      expect(employmentContracts[0]).toMatchObject({ kind: 'CDDI', structureKind: 'ACI', weeklyHours: 26, plannedEnd: '2026-08-31', label: 'CDDI · ACI · 26 h/sem.' });
    });

    it('ends an employment contract on its last day', () => {
      const events = recordedHistory([...aParcoursFollowedByClaire, employmentContractStarted({ startsOn: '2026-03-02' })]);
      const ended = recordedHistory([
        ...aParcoursFollowedByClaire,
        employmentContractStarted({ startsOn: '2026-03-02' }),
        { type: 'EmploymentContractEnded', data: { contractId: employmentContractStarted().data.contractId, endedOn: '2026-03-16', reason: 'term_reached' } },
      ]);
      expect(timelineOf(events).lanes.employmentContracts[0].end).toBeNull();
      expect(timelineOf(ended).lanes.employmentContracts[0]).toMatchObject({ end: '2026-03-16', endReason: 'term_reached' });
    });

    it('draws a suspension band up to the day before the resumption', () => {
      const { suspensions } = timelineOf(recordedHistory([...aParcoursFollowedByClaire, suspended(), resumed('2026-03-16')])).lanes;
      expect(suspensions).toEqual([
        {
          start: '2026-03-05',
          end: '2026-03-15',
          label: "Suspension : refus du contrat d'engagement",
          eventIds: [eventIdOf(6), eventIdOf(7)],
          reason: 'engagement_contract_refused',
        },
      ]);
    });

    it('keeps a suspension open while it lasts, and ends it at an exit', () => {
      const open = timelineOf(recordedHistory([...aParcoursFollowedByClaire, suspended()])).lanes.suspensions;
      expect(open.map(({ start, end }) => [start, end])).toEqual([['2026-03-05', null]]);
      const exitedWhileSuspended = timelineOf(recordedHistory([...aParcoursFollowedByClaire, suspended(), exited({ exitedOn: '2026-03-10' })])).lanes.suspensions;
      expect(exitedWhileSuspended.map(({ start, end }) => [start, end])).toEqual([['2026-03-05', '2026-03-09']]);
    });

    it('turns continuity findings into ruptures with their rule, severity and status', () => {
      const events = recordedHistory(aHistoryWithEveryEventType());
      const findings = evaluateContinuity(continuityEventsOf(events), '2026-09-20', DEFAULT_POLICY);
      const { ruptures } = timelineOf(events, findings).lanes;
      expect(ruptures).toHaveLength(findings.length);
      const handover = ruptures.find((rupture) => rupture.ruleId === 'R10');
      expect(handover).toMatchObject({
        severity: 'breach',
        status: 'closed',
        start: '2026-04-11',
        end: '2026-04-14',
        dueOn: '2026-04-10',
        durationDays: 4,
        label: 'R10 · Passation de référent interrompue',
        eventIds: [eventIdOf(15), eventIdOf(18)],
        streamVersions: [15, 18],
      });
      expect(ruptures.filter((rupture) => rupture.status === 'open').map((rupture) => rupture.ruleId)).toEqual(['R3']);
      const starts = ruptures.map((rupture) => rupture.start);
      expect([...starts].sort()).toEqual(starts);
    });

    it('draws an open rupture up to the audit date it was evaluated at', () => {
      const events = recordedHistory(anOpenParcours);
      const findings = evaluateContinuity(continuityEventsOf(events), TODAY, DEFAULT_POLICY);
      const timeline = timelineOf(events, findings);
      expect(timeline.lanes.ruptures.map(({ ruleId, severity, status, start, end }) => ({ ruleId, severity, status, start, end }))).toEqual([
        { ruleId: 'R1', severity: 'breach', status: 'open', start: '2026-02-17', end: null },
      ]);
      expect(timeline.span).toEqual({ start: '2026-01-05', end: TODAY });
    });
  });

  describe('markers and span', () => {
    it('marks point events, with missed appointments as alerts', () => {
      const { markers } = timelineOf(recordedHistory(aHistoryWithEveryEventType()));
      expect(markers.map((marker) => marker.type)).not.toContain('ReferentAssigned');
      expect(markers.filter((marker) => marker.group === 'decision').map((marker) => marker.type)).toEqual([
        'DiagnosticRecorded',
        'OrientationDecided',
        'FollowUpMemberJoined',
        'ReorientationRequested',
        'ReorientationDecided',
        'FollowUpMemberJoined',
        'FollowUpMemberLeft',
        'ParcoursExited',
        'ParcoursReopened',
        'ReorientationDecided',
        'PersonalDataErased',
      ]);
      expect(markers.filter((marker) => marker.tone === 'alert').map((marker) => [marker.on, marker.type])).toEqual([['2026-04-28', 'AppointmentRecorded']]);
    });

    it('spans from the first to the last date, up to the audit date when given', () => {
      const events = recordedHistory(aParcoursFollowedByClaire);
      expect(timelineOf(events).span).toEqual({ start: '2026-01-05', end: '2026-02-12' });
      expect(timelineOf(events, [], TODAY).span).toEqual({ start: '2026-01-05', end: TODAY });
    });

    it('is empty for an empty history', () => {
      expect(timelineOf([])).toEqual({
        streamId: null,
        span: null,
        entries: [],
        lanes: { phases: [], referents: [], engagementContracts: [], employmentContracts: [], suspensions: [], ruptures: [] },
        markers: [],
      });
    });
  });
});
