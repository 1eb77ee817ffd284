/**
 * Test fixtures of the audit timeline: parcours events wrapped as the store returns them (metadata,
 * hash chain), and one history that uses every event type of the catalogue, handed over between
 * two référents, suspended, exited and reopened. Its calendar extends the one of
 * parcours.fixtures.ts (entry on 2026-01-05) to September 2026.
 */
import { createHash } from 'node:crypto';
import type { Actor, RecordedEvent } from '../../event-store/event-store.js';
import { businessDateOf } from '../../continuity/parcours-history.js';
import type { ParcoursEvent } from '../../parcours/domain/events.js';
import {
  ACI_JARDINS,
  actionPrescribed,
  actionStatusChanged,
  appointmentRecorded,
  CLAIRE_AT_CD,
  CONSEIL_DEPARTEMENTAL,
  contactRecorded,
  COORDINATOR,
  diagnosed,
  employmentContractEnded,
  employmentContractStarted,
  engagementContractEnded,
  engagementContractSigned,
  exited,
  FRANCE_TRAVAIL_THIERS,
  joined,
  KARIM_AT_FRANCE_TRAVAIL,
  left,
  MISSION_LOCALE,
  opened,
  oriented,
  PARCOURS_ID,
  personalDataErased,
  referentAssigned,
  referentReleased,
  reopened,
  reorientationAccepted,
  reorientationRequested,
  resumed,
  suspended,
} from '../../parcours/domain/parcours.fixtures.js';

export const STREAM_ID = `parcours-${PARCOURS_ID}`;
export const CIPHERTEXT = opened().data.identity.ciphertext;

export const CLAIRE_REFERENT: Actor = { userId: CLAIRE_AT_CD, partnerId: CONSEIL_DEPARTEMENTAL, role: 'referent' };
export const KARIM_REFERENT: Actor = { userId: KARIM_AT_FRANCE_TRAVAIL, partnerId: FRANCE_TRAVAIL_THIERS, role: 'referent' };
export const COORDINATOR_AT_CD: Actor = { userId: COORDINATOR, partnerId: CONSEIL_DEPARTEMENTAL, role: 'coordinator' };

export const PARTNER_NAMES: ReadonlyMap<string, string> = new Map([
  [CONSEIL_DEPARTEMENTAL, 'Conseil départemental du Puy-de-Dôme'],
  [FRANCE_TRAVAIL_THIERS, 'France Travail Thiers'],
  [ACI_JARDINS, 'Les Jardins de Thiers'],
  [MISSION_LOCALE, 'Mission locale de Thiers'],
]);

export interface HistoryItem {
  event: ParcoursEvent;
  /** Day of recording (Paris); the business date when absent. */
  recordedOn?: string;
  actor?: Actor;
}

/**
 * The events as a store returns them: stream versions in the given (recording) order, event ids
 * after the version, recorded at 15:30 UTC (16:30 or 17:30 in Paris), each hash chained to the
 * previous one like the store's.
 */
export function recordedHistory(items: readonly (ParcoursEvent | HistoryItem)[], streamId = STREAM_ID): RecordedEvent[] {
  let previousHash = '';
  return items.map((item, index) => {
    const { event, recordedOn, actor } = 'event' in item ? item : { event: item, recordedOn: undefined, actor: undefined };
    const version = index + 1;
    const occurredAt = businessDateOf(event);
    const hash = createHash('sha256').update(previousHash).update(JSON.stringify(event)).digest('hex');
    previousHash = hash;
    return {
      eventId: eventIdOf(version),
      streamId,
      streamVersion: version,
      globalPosition: 100 + version,
      transactionId: String(5000 + version),
      type: event.type,
      schemaVersion: 1,
      data: event.data,
      metadata: { actor: actor ?? CLAIRE_REFERENT, correlationId: `c0ffee00-0000-4000-8000-${String(version).padStart(12, '0')}`, occurredAt },
      recordedAt: `${recordedOn ?? occurredAt}T15:30:00.000Z`,
      hash,
    };
  });
}

export function eventIdOf(version: number): string {
  return `0e1d0000-0000-4000-8000-${String(version).padStart(12, '0')}`;
}

const NEXT_ENGAGEMENT_CONTRACT_ID = '5d6e7f80-91a2-4b3c-8d4e-5f6071829304';

/**
 * Every event type of the catalogue, in recording order (versions 1 to 27). Business dates:
 * entry 05/01, orientation 08/02, Claire (référent n° 1) from 12/02, suspended 05/03 → 16/03, a
 * contact of 02/03 recorded on 18/03, reorientation towards emploi accepted 02/04, Claire released 03/04, Karim
 * (référent n° 2) from 14/04, a CDDI from 04/05 ended 12/06, exit 15/07, reopening 03/08, erasure 01/09.
 */
export function aHistoryWithEveryEventType(): HistoryItem[] {
  return [
    { event: opened(), actor: COORDINATOR_AT_CD }, // 1
    { event: diagnosed() }, // 2
    { event: oriented(), actor: COORDINATOR_AT_CD }, // 3
    { event: joined(CONSEIL_DEPARTEMENTAL), actor: COORDINATOR_AT_CD }, // 4
    { event: referentAssigned(), actor: COORDINATOR_AT_CD }, // 5
    { event: appointmentRecorded() }, // 6: 17/02, accompaniment attended
    { event: engagementContractSigned({ kind: 'CER' }) }, // 7: CER 20/02 → 19/08 (as a store may hold it; the decider would now ask for a CE)
    { event: actionPrescribed({ providerPartnerId: MISSION_LOCALE }) }, // 8
    { event: actionStatusChanged() }, // 9
    { event: suspended() }, // 10: 05/03
    { event: resumed() }, // 11: 16/03
    { event: contactRecorded(), recordedOn: '2026-03-18' }, // 12: contact of 02/03, back-dated
    { event: reorientationRequested({ requestedOn: '2026-03-20' }) }, // 13
    { event: reorientationAccepted({ decidedOn: '2026-04-02' }), recordedOn: '2026-04-03', actor: COORDINATOR_AT_CD }, // 14: one day late, not back-dated
    { event: referentReleased({ reason: 'reorientation', releasedOn: '2026-04-03' }) }, // 15
    { event: joined(FRANCE_TRAVAIL_THIERS, '2026-04-02'), recordedOn: '2026-04-03', actor: COORDINATOR_AT_CD }, // 16: sorts before 15
    { event: engagementContractEnded({ endedOn: '2026-04-14', reason: 'reorientation' }), actor: KARIM_REFERENT }, // 17
    { event: referentAssigned(KARIM_AT_FRANCE_TRAVAIL, FRANCE_TRAVAIL_THIERS, '2026-04-14'), actor: COORDINATOR_AT_CD }, // 18
    { event: left(CONSEIL_DEPARTEMENTAL, '2026-04-20'), actor: COORDINATOR_AT_CD }, // 19
    {
      event: engagementContractSigned({ contractId: NEXT_ENGAGEMENT_CONTRACT_ID, kind: 'PPAE', signedOn: '2026-04-21', startsOn: '2026-04-21', endsOn: '2026-10-20' }),
      recordedOn: '2026-04-22',
      actor: KARIM_REFERENT,
    }, // 20: recorded one day later
    { event: appointmentRecorded({ appointmentId: 'b0b0b0b0-0000-4000-8000-000000000001', scheduledOn: '2026-04-28', outcome: 'no_show', partnerId: FRANCE_TRAVAIL_THIERS }), actor: KARIM_REFERENT }, // 21
    { event: employmentContractStarted({ startsOn: '2026-05-04', plannedEndOn: '2026-10-31' }), actor: KARIM_REFERENT }, // 22
    { event: employmentContractEnded({ endedOn: '2026-06-12' }), actor: KARIM_REFERENT }, // 23
    { event: exited({ category: 'emploi_transition', reason: 'cdd_6_months_or_more', exitedOn: '2026-07-15' }), actor: KARIM_REFERENT }, // 24
    { event: reopened({ reopenedOn: '2026-08-03' }), actor: KARIM_REFERENT }, // 25
    { event: reorientationRejectedOn('2026-08-20'), actor: COORDINATOR_AT_CD }, // 26
    { event: personalDataErased({ erasedOn: '2026-09-01' }), actor: { userId: COORDINATOR, partnerId: CONSEIL_DEPARTEMENTAL, role: 'dpo' } }, // 27
  ];
}

function reorientationRejectedOn(decidedOn: string): ParcoursEvent {
  return { type: 'ReorientationDecided', data: { accepted: false, rejectionReason: 'current_orientation_suitable', decidedBy: COORDINATOR, decidedOn } };
}
