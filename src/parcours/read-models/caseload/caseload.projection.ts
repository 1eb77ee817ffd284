import { type DocumentProjection, parcoursIdOf } from '../../../projections/projection.js';
import { PARCOURS_EVENT_TYPES, type ParcoursEvent } from '../../domain/events.js';
import { type ParcoursState, evolve } from '../../domain/state.js';

/**
 * `caseload` — which open parcours does each organisation, and each référent, have in hand?
 * One document per parcours, without identity: the organisations that follow it, its référent,
 * its stage. The continuity read model adds each parcours' next deadline at query time.
 */
export interface CaseloadDoc {
  parcoursId: string;
  territory: string;
  status: ParcoursState['status'];
  parcoursType: ParcoursState['parcoursType'];
  organismeReferentId: string | null;
  referent: ParcoursState['referent'];
  /** Every organisation that sees it: référent's, organisme référent, follow-up group. */
  partnerIds: string[];
  entryOn: string;
  lastContactOn: string | null;
  engagementContractEndsOn: string | null;
  /** The fold of the stream so far (no identity), so each event is applied to the state it follows. */
  state: Omit<ParcoursState, 'identity'> & { identity: null };
  lastVersion: number;
}

export const caseloadProjection: DocumentProjection<CaseloadDoc> = {
  kind: 'document',
  name: 'caseload',
  schemaVersion: 1,
  categories: ['parcours'],
  eventTypes: PARCOURS_EVENT_TYPES,
  keyOf: parcoursIdOf,
  reduce(doc, event) {
    // A runner applies each event once; this guard makes a replayed batch harmless all the same.
    if (doc && event.streamVersion <= doc.lastVersion) return doc;
    const before = doc ? ({ ...doc.state, identity: { status: 'encrypted', value: { ciphertext: '' } } } as ParcoursState) : null;
    const after = evolve(before, { type: event.type, data: event.data } as ParcoursEvent);
    return toDoc(after, event.streamVersion);
  },
  indexes: [
    `CREATE INDEX IF NOT EXISTS {table}_partners ON {table} USING gin ((doc -> 'partnerIds'))`,
    `CREATE INDEX IF NOT EXISTS {table}_referent ON {table} ((doc -> 'referent' ->> 'userId'))`,
  ],
};

function toDoc(state: ParcoursState, version: number): CaseloadDoc {
  const partnerIds = new Set<string>(state.followUpGroup);
  if (state.organismeReferentId) partnerIds.add(state.organismeReferentId);
  if (state.referent) partnerIds.add(state.referent.partnerId);
  const openContract = state.openEngagementContractId ? state.engagementContracts[state.openEngagementContractId] : undefined;
  return {
    parcoursId: state.parcoursId,
    territory: state.territory,
    status: state.status,
    parcoursType: state.parcoursType,
    organismeReferentId: state.organismeReferentId,
    referent: state.referent,
    partnerIds: [...partnerIds],
    entryOn: state.entryOn,
    lastContactOn: state.lastContactOn,
    engagementContractEndsOn: openContract?.endsOn ?? null,
    state: { ...state, identity: null },
    lastVersion: version,
  };
}
