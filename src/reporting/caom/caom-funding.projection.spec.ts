import { project, recorded } from '../../projections/recorded.fixtures.js';
import {
  EMPLOYMENT_CONTRACT_ID,
  PARCOURS_ID,
  aParcoursWithACddiRunning,
  aParcoursWhosePersonalDataWereErased,
  employmentContractEnded,
  employmentContractStarted,
  personalDataErased,
} from '../../parcours/domain/parcours.fixtures.js';
import { type CaomFundingDoc, caomFundingProjection } from './caom-funding.projection.js';

const reduce = (doc: CaomFundingDoc | null, event: Parameters<typeof caomFundingProjection.reduce>[1]) => caomFundingProjection.reduce(doc, event);

describe('the caom_funding projection', () => {
  it('keeps the facts of each employment contract with the parcours territory', () => {
    const doc = project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, aParcoursWithACddiRunning))!;
    expect(doc.territory).toBe('cc-thiers-dore-et-montagne');
    expect(doc.contracts).toEqual([
      expect.objectContaining({ contractId: EMPLOYMENT_CONTRACT_ID, parcoursId: PARCOURS_ID, territory: 'cc-thiers-dore-et-montagne', endedOn: null }),
    ]);
    expect(doc.contracts[0]!.recordedOrder).toBe(aParcoursWithACddiRunning.length);
  });

  it('records the end of a contract, once', () => {
    const events = [...aParcoursWithACddiRunning, employmentContractEnded({ endedOn: '2026-03-10' }), employmentContractEnded({ endedOn: '2026-03-18' })];
    const doc = project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, events))!;
    expect(doc.contracts[0]!.endedOn).toBe('2026-03-10');
  });

  it('keeps the facts through an erasure: they hold no personal data and the figures must stay', () => {
    const before = project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, aParcoursWithACddiRunning))!;
    const after = project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, [...aParcoursWithACddiRunning, personalDataErased()]))!;
    expect(after).toEqual(before);
    expect(project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, aParcoursWhosePersonalDataWereErased))!.contracts).toEqual([]);
  });

  it('ignores a repeated start of the same contract', () => {
    const doc = project<CaomFundingDoc>(reduce, recorded(PARCOURS_ID, [...aParcoursWithACddiRunning, employmentContractStarted({ weeklyHours: 10 })]))!;
    expect(doc.contracts).toHaveLength(1);
    expect(doc.contracts[0]!.weeklyHours).not.toBe(10);
  });
});
