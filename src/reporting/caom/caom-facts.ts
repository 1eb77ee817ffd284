import type {
  EmploymentContractEndedData,
  EmploymentContractKind,
  EmploymentContractStartedData,
  ParcoursEvent,
  StructureKind,
} from '../../parcours/domain/events.js';

/**
 * One employment contract as the CAOM report needs it: the input of `computeCaomReport`, one row
 * of the `caom_funding` projection table. It holds no personal data (the under-26 and RSA-socle
 * flags were fixed at the start of the contract precisely so that they outlive the birth date), so
 * a parcours whose personal data were erased keeps its rows: funding statistics must survive.
 */
export interface CaomContractFact {
  readonly parcoursId: string;
  readonly contractId: string;
  readonly kind: EmploymentContractKind;
  readonly structureKind: StructureKind | null;
  readonly weeklyHours: number;
  readonly startsOn: string;
  /** Last day planned; null for the open-ended contracts (CDI, CDI_EBE). */
  readonly plannedEndOn: string | null;
  /** Last day actually worked, once the contract has ended. */
  readonly endedOn: string | null;
  readonly rsaSocleAtStart: boolean;
  readonly beneficiaryUnder26AtStart: boolean;
  readonly territory: string;
  readonly employerPartnerId: string | null;
  readonly employerSiret: string | null;
  /**
   * The global position of the `EmploymentContractStarted` event: breaks ties between contracts
   * starting the same day ("first come, first served" on envelopes and ceilings).
   */
  readonly recordedOrder: number;
}

/** The only event types the CAOM facts depend on: a projection can subscribe to just these. */
export const CAOM_FACT_EVENT_TYPES = [
  'EmploymentContractStarted',
  'EmploymentContractEnded',
] as const satisfies readonly ParcoursEvent['type'][];

/** A parcours event (upcast) with its position in the store-wide order. */
export type CaomSourceEvent = ParcoursEvent & { readonly globalPosition: number };

export function factOfStartedContract(
  parcoursId: string,
  territory: string,
  data: EmploymentContractStartedData,
  recordedOrder: number,
): CaomContractFact {
  return {
    parcoursId,
    contractId: data.contractId,
    kind: data.kind,
    structureKind: data.structureKind,
    weeklyHours: data.weeklyHours,
    startsOn: data.startsOn,
    plannedEndOn: data.plannedEndOn,
    endedOn: null,
    rsaSocleAtStart: data.rsaSocleAtStart,
    beneficiaryUnder26AtStart: data.beneficiaryUnder26AtStart,
    territory,
    employerPartnerId: data.employerPartnerId,
    employerSiret: data.employerSiret,
    recordedOrder,
  };
}

/** The decider ends a contract once; should a second ending ever be stored, the first one stands. */
export function factOfEndedContract(fact: CaomContractFact, data: EmploymentContractEndedData): CaomContractFact {
  if (fact.contractId !== data.contractId || fact.endedOn !== null) return fact;
  return { ...fact, endedOn: data.endedOn };
}

/**
 * The CAOM facts of one parcours from its events in stream order. Never throws on data (a
 * projection must not stall on a stream it cannot change): an ending of an unknown contract and a
 * repeated start are ignored. Events other than the two contract events change nothing, in
 * particular `PersonalDataErased`.
 */
export function factsFromEvents(parcoursId: string, territory: string, events: readonly CaomSourceEvent[]): CaomContractFact[] {
  const facts = new Map<string, CaomContractFact>();
  for (const event of events) {
    if (event.type === 'EmploymentContractStarted') {
      if (!facts.has(event.data.contractId)) {
        facts.set(event.data.contractId, factOfStartedContract(parcoursId, territory, event.data, event.globalPosition));
      }
    } else if (event.type === 'EmploymentContractEnded') {
      const fact = facts.get(event.data.contractId);
      if (fact !== undefined) facts.set(fact.contractId, factOfEndedContract(fact, event.data));
    }
  }
  return [...facts.values()];
}
