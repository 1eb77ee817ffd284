import type { CommandContext, RecordRsaRights } from './commands.js';
import { decide } from './parcours-decider.js';
import { ParcoursRuleError } from './errors.js';
import type { ParcoursEvent } from './events.js';
import { EPCI, PARCOURS_ID, TODAY, anOpenParcours, exited, personalDataErased } from './parcours.fixtures.js';
import { evolveAll } from './state.js';

const context: CommandContext = { today: TODAY, actor: { userId: 'intake', partnerId: '0b9e4f1a-2c3d-4e5f-8a7b-1c2d3e4f5a6b', role: 'coordinator' } };

function rights(data: Partial<RecordRsaRights> = {}): RecordRsaRights {
  return { type: 'RecordRsaRights', parcoursId: PARCOURS_ID, context, rights: 'socle', rightsOn: '2026-03-01', source: 'caf', ...data };
}

const stateOf = (events: readonly ParcoursEvent[]) => evolveAll(null, events)!;

describe('the RSA rights from the monthly file', () => {
  it('records nothing when the rights are those already known (the same file imported again, or next month’s)', () => {
    expect(decide(rights(), stateOf(anOpenParcours))).toEqual([]);
  });

  it('records a change, and the state follows it', () => {
    const events = decide(rights({ rights: 'non_socle' }), stateOf(anOpenParcours));
    expect(events).toEqual([{ type: 'RsaRightsRecorded', data: { rights: 'non_socle', rsaSocle: false, rightsOn: '2026-03-01', source: 'caf' } }]);
    const after = stateOf([...anOpenParcours, ...events]);
    expect(after).toMatchObject({ rsaSocle: false, rsaRights: 'non_socle', territory: EPCI });
    expect(decide(rights({ rights: 'non_socle' }), after)).toEqual([]);
    expect(decide(rights({ rights: 'socle_majore', source: 'msa' }), after)).toEqual([
      { type: 'RsaRightsRecorded', data: { rights: 'socle_majore', rsaSocle: true, rightsOn: '2026-03-01', source: 'msa' } },
    ]);
  });

  it('refuses a date in the future, an exited parcours and erased data', () => {
    expect(() => decide(rights({ rights: 'non_socle', rightsOn: '2026-12-01' }), stateOf(anOpenParcours))).toThrow(ParcoursRuleError);
    expect(() => decide(rights({ rights: 'non_socle' }), stateOf([...anOpenParcours, exited()]))).toThrow(/parcours_exited|exited/);
    expect(() => decide(rights({ rights: 'non_socle' }), stateOf([...anOpenParcours, personalDataErased()]))).toThrow(/erased/);
  });
});
