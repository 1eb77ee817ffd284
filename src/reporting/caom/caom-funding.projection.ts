import { type DocumentProjection, parcoursIdOf } from '../../projections/projection.js';
import type { EmploymentContractEndedData, EmploymentContractStartedData, ParcoursOpenedData } from '../../parcours/domain/events.js';
import { type CaomContractFact, factOfEndedContract, factOfStartedContract } from './caom-facts.js';

/**
 * `caom_funding` — what does the CAOM co-fund this year? The projection keeps, per parcours, the
 * facts of its employment contracts (no personal data: age and RSA socle were recorded as booleans
 * at contract start, so the figures survive an erasure); the report applies the year's policy to
 * all of them at query time (caom-report.ts).
 */
export interface CaomFundingDoc {
  parcoursId: string;
  territory: string | null;
  contracts: CaomContractFact[];
}

export const caomFundingProjection: DocumentProjection<CaomFundingDoc> = {
  kind: 'document',
  name: 'caom_funding',
  schemaVersion: 1,
  categories: ['parcours'],
  eventTypes: ['ParcoursOpened', 'EmploymentContractStarted', 'EmploymentContractEnded'],
  keyOf: parcoursIdOf,
  reduce(doc, event) {
    const parcoursId = parcoursIdOf(event)!;
    const current: CaomFundingDoc = doc ?? { parcoursId, territory: null, contracts: [] };
    switch (event.type) {
      case 'ParcoursOpened':
        return { ...current, territory: (event.data as ParcoursOpenedData).territory };
      case 'EmploymentContractStarted': {
        const data = event.data as EmploymentContractStartedData;
        if (current.contracts.some((contract) => contract.contractId === data.contractId)) return current;
        const fact = factOfStartedContract(parcoursId, current.territory ?? '', data, event.globalPosition);
        return { ...current, contracts: [...current.contracts, fact] };
      }
      case 'EmploymentContractEnded': {
        const data = event.data as EmploymentContractEndedData;
        return { ...current, contracts: current.contracts.map((contract) => factOfEndedContract(contract, data)) };
      }
      default:
        return current;
    }
  },
};
