import type { ParcoursEvent } from '../../parcours/domain/events.js';
import {
  contactRecorded,
  employmentContractEnded,
  employmentContractStarted,
  EPCI,
  opened,
  PARCOURS_ID,
  personalDataErased,
} from '../../parcours/domain/parcours.fixtures.js';
import { type CaomSourceEvent, factOfEndedContract, factOfStartedContract, factsFromEvents } from './caom-facts.js';

const PEC_ID = '11111111-1111-4111-8111-111111111111';
const CDDI_ID = '22222222-2222-4222-8222-222222222222';

/** Positions as the store would give them: increasing, with other streams' events in between. */
function positioned(events: readonly ParcoursEvent[], firstPosition = 40): CaomSourceEvent[] {
  return events.map((event, index) => ({ ...event, globalPosition: firstPosition + 3 * index }));
}

const pecStarted = employmentContractStarted({
  contractId: PEC_ID,
  kind: 'PEC',
  structureKind: null,
  employerPartnerId: null,
  employerSiret: '12345678900017',
  weeklyHours: 26,
  startsOn: '2021-02-01',
  plannedEndOn: '2022-01-31',
  beneficiaryUnder26AtStart: true,
  rsaSocleAtStart: true,
});
const pecEnded = employmentContractEnded({ contractId: PEC_ID, endedOn: '2021-06-30', reason: 'hired_permanent' });
const cddiStarted = employmentContractStarted({
  contractId: CDDI_ID,
  kind: 'CDDI',
  structureKind: 'EI',
  weeklyHours: 30,
  startsOn: '2021-07-05',
  plannedEndOn: '2022-01-04',
  beneficiaryUnder26AtStart: false,
  rsaSocleAtStart: false,
});

describe('factsFromEvents', () => {
  it('makes one fact per employment contract, with its ending and its recording position', () => {
    const events = positioned([opened(), pecStarted, contactRecorded(), pecEnded, cddiStarted]);

    expect(factsFromEvents(PARCOURS_ID, EPCI, events)).toEqual([
      {
        parcoursId: PARCOURS_ID,
        contractId: PEC_ID,
        kind: 'PEC',
        structureKind: null,
        weeklyHours: 26,
        startsOn: '2021-02-01',
        plannedEndOn: '2022-01-31',
        endedOn: '2021-06-30',
        rsaSocleAtStart: true,
        beneficiaryUnder26AtStart: true,
        territory: EPCI,
        employerPartnerId: null,
        employerSiret: '12345678900017',
        recordedOrder: 43,
      },
      expect.objectContaining({ contractId: CDDI_ID, kind: 'CDDI', structureKind: 'EI', endedOn: null, rsaSocleAtStart: false, recordedOrder: 52 }),
    ]);
  });

  it('keeps the facts of a parcours whose personal data were erased: statistics survive erasure', () => {
    const beforeErasure = factsFromEvents(PARCOURS_ID, EPCI, positioned([opened(), pecStarted, pecEnded]));
    const afterErasure = factsFromEvents(PARCOURS_ID, EPCI, positioned([opened(), pecStarted, pecEnded, personalDataErased()]));

    expect(afterErasure).toEqual(beforeErasure);
    expect(afterErasure).toHaveLength(1);
  });

  it('never throws on a stream it cannot change: an unknown ending and a repeated start are ignored', () => {
    const events = positioned([
      employmentContractEnded({ contractId: CDDI_ID, endedOn: '2021-03-01' }),
      pecStarted,
      employmentContractStarted({ ...pecStarted.data, weeklyHours: 35 }),
      pecEnded,
      employmentContractEnded({ contractId: PEC_ID, endedOn: '2021-09-30' }),
    ]);

    expect(factsFromEvents(PARCOURS_ID, EPCI, events)).toEqual([expect.objectContaining({ contractId: PEC_ID, weeklyHours: 26, endedOn: '2021-06-30', recordedOrder: 43 })]);
  });

  it('gives nothing for a parcours without employment contracts', () => {
    expect(factsFromEvents(PARCOURS_ID, EPCI, positioned([opened(), contactRecorded()]))).toEqual([]);
  });
});

describe('incremental helpers for a row-per-contract projection', () => {
  it('build the same fact as factsFromEvents', () => {
    const started = factOfStartedContract(PARCOURS_ID, EPCI, pecStarted.data, 43);
    const ended = factOfEndedContract(started, pecEnded.data);

    expect([ended]).toEqual(factsFromEvents(PARCOURS_ID, EPCI, positioned([opened(), pecStarted, pecEnded])));
    // The ending of another contract leaves the row as it is.
    expect(factOfEndedContract(started, { contractId: CDDI_ID, endedOn: '2021-03-01', reason: 'other' })).toBe(started);
  });
});
