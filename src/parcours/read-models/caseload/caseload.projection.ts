import { type DocumentProjection, parcoursIdOf } from '../../../projections/projection.js';
import type { ParcoursEvent } from '../../domain/events.js';
import type { ParcoursStatus } from '../../domain/state.js';

/**
 * `caseload` — which open parcours does each organisation, and each référent, have in hand?
 * One small document per parcours, without identity nor notes: the organisations that follow it,
 * its référent, its stage, the limits the person obtained on processing. The continuity read model
 * adds each parcours' next deadline at query time.
 *
 * An archived parcours (R. 263-8 CASF) is in no caseload: its document is deleted, and the rights
 * the person still exercises on it afterwards (a restriction, its lifting) bring nothing back.
 */
export interface CaseloadDoc {
  parcoursId: string;
  territory: string;
  status: ParcoursStatus;
  parcoursType: string | null;
  organismeReferentId: string | null;
  referent: { userId: string; partnerId: string; since: string } | null;
  followUpGroup: string[];
  /** Every organisation that sees it: référent's, organisme référent, follow-up group. */
  partnerIds: string[];
  entryOn: string;
  lastContactOn: string | null;
  openEngagementContract: { contractId: string; endsOn: string } | null;
  engagementContractEndsOn: string | null;
  /** Since when a restriction of processing is in force (RGPD art. 18): nothing can be recorded until it is lifted. */
  restrictedSince: string | null;
  /** Since when an opposition is granted (RGPD art. 21): recording goes on, shared only with the organisations in charge. */
  opposedSince: string | null;
  lastVersion: number;
}

export const CASELOAD_EVENT_TYPES = [
  'ParcoursOpened',
  'OrientationDecided',
  'ReorientationDecided',
  'ReferentAssigned',
  'ReferentReleased',
  'FollowUpMemberJoined',
  'FollowUpMemberLeft',
  'AppointmentRecorded',
  'ContactRecorded',
  'EngagementContractSigned',
  'EngagementContractEnded',
  'ParcoursSuspended',
  'ParcoursResumed',
  'ParcoursExited',
  'ParcoursReopened',
  'ProcessingRestricted',
  'ProcessingRestrictionLifted',
  'ParcoursArchived',
] as const satisfies readonly ParcoursEvent['type'][];

export const caseloadProjection: DocumentProjection<CaseloadDoc> = {
  kind: 'document',
  name: 'caseload',
  // 3: the rights in force (restrictedSince, opposedSince); archived parcours deleted.
  schemaVersion: 3,
  categories: ['parcours'],
  eventTypes: CASELOAD_EVENT_TYPES,
  keyOf: parcoursIdOf,
  reduce(doc, record) {
    // A runner applies each event once; this guard makes a replayed batch harmless all the same.
    if (doc && record.streamVersion <= doc.lastVersion) return doc;
    const event = { type: record.type, data: record.data } as ParcoursEvent;
    if (event.type === 'ParcoursOpened') {
      const { parcoursId, territory, entryOn } = event.data;
      return withPartners({
        parcoursId,
        territory,
        status: 'open',
        parcoursType: null,
        organismeReferentId: null,
        referent: null,
        followUpGroup: [],
        partnerIds: [],
        entryOn,
        lastContactOn: null,
        openEngagementContract: null,
        engagementContractEndsOn: null,
        restrictedSince: null,
        opposedSince: null,
        lastVersion: record.streamVersion,
      });
    }
    if (!doc) {
      // The rights outlive the archive (the decider accepts them on an archived parcours): nothing to show.
      if (AFTER_ARCHIVE.includes(event.type)) return null;
      throw new Error(`${event.type} before ParcoursOpened`);
    }
    // A document written before the rights were kept (schema version 2, or a reader's stored copy) has none in force.
    const next: CaseloadDoc = { ...doc, restrictedSince: doc.restrictedSince ?? null, opposedSince: doc.opposedSince ?? null, lastVersion: record.streamVersion };
    switch (event.type) {
      case 'OrientationDecided':
        return withPartners({ ...next, parcoursType: event.data.parcoursType, organismeReferentId: event.data.organismeReferentId });
      case 'ReorientationDecided':
        return event.data.accepted ? withPartners({ ...next, parcoursType: event.data.parcoursType, organismeReferentId: event.data.organismeReferentId }) : next;
      case 'ReferentAssigned':
        return withPartners({ ...next, referent: { userId: event.data.referentUserId, partnerId: event.data.partnerId, since: event.data.assignedOn } });
      case 'ReferentReleased':
        return withPartners({ ...next, referent: null });
      case 'FollowUpMemberJoined':
        return withPartners({ ...next, followUpGroup: [...new Set([...next.followUpGroup, event.data.partnerId])] });
      case 'FollowUpMemberLeft':
        return withPartners({ ...next, followUpGroup: next.followUpGroup.filter((partnerId) => partnerId !== event.data.partnerId) });
      case 'AppointmentRecorded':
        return event.data.outcome === 'seen' ? { ...next, lastContactOn: latest(next.lastContactOn, event.data.scheduledOn) } : next;
      case 'ContactRecorded':
        return { ...next, lastContactOn: latest(next.lastContactOn, event.data.contactedOn) };
      case 'EngagementContractSigned': {
        const openEngagementContract = { contractId: event.data.contractId, endsOn: event.data.endsOn };
        return { ...next, openEngagementContract, engagementContractEndsOn: event.data.endsOn };
      }
      case 'EngagementContractEnded':
        return next.openEngagementContract?.contractId === event.data.contractId ? { ...next, openEngagementContract: null, engagementContractEndsOn: null } : next;
      case 'ParcoursSuspended':
        return { ...next, status: 'suspended' };
      case 'ParcoursResumed':
        return { ...next, status: 'open' };
      case 'ParcoursExited':
        return { ...next, status: 'exited' };
      case 'ParcoursReopened':
        return { ...next, status: 'open' };
      case 'ProcessingRestricted': {
        const since = event.data.restrictedOn;
        return event.data.right === 'restriction' ? { ...next, restrictedSince: since } : { ...next, opposedSince: since };
      }
      case 'ProcessingRestrictionLifted':
        return event.data.right === 'restriction' ? { ...next, restrictedSince: null } : { ...next, opposedSince: null };
      case 'ParcoursArchived':
        // Visible to auditors and the DPO only (through the audit tools), out of every caseload.
        return null;
      default:
        return next;
    }
  },
  indexes: [
    `CREATE INDEX IF NOT EXISTS {table}_partners ON {table} USING gin ((doc -> 'partnerIds'))`,
    `CREATE INDEX IF NOT EXISTS {table}_referent ON {table} ((doc -> 'referent' ->> 'userId'))`,
  ],
};

/** What may still happen to a parcours once archived, as far as the caseload reads it. */
const AFTER_ARCHIVE: readonly string[] = ['ProcessingRestricted', 'ProcessingRestrictionLifted', 'ParcoursArchived'];

function withPartners(doc: CaseloadDoc): CaseloadDoc {
  const partnerIds = new Set(doc.followUpGroup);
  if (doc.organismeReferentId) partnerIds.add(doc.organismeReferentId);
  if (doc.referent) partnerIds.add(doc.referent.partnerId);
  return { ...doc, partnerIds: [...partnerIds] };
}

function latest(current: string | null, candidate: string): string {
  return current === null || candidate > current ? candidate : current;
}
