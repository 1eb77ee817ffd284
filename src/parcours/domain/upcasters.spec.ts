import { UpcasterRegistry } from '../../event-store/upcasters.js';
import { PARCOURS_UPCASTERS } from './upcasters.js';

const registry = new UpcasterRegistry(PARCOURS_UPCASTERS);

describe('parcours upcasters (schema version 2 of four events)', () => {
  it('writes the new shapes as version 2', () => {
    for (const type of ['ParcoursOpened', 'EngagementContractSigned', 'ParcoursSuspended', 'ParcoursResumed', 'ContactRecorded']) expect(registry.currentVersion(type)).toBe(2);
    expect(registry.currentVersion('FranceTravailRegistered')).toBe(1);
  });

  it('reads a version 1 opening of 2025 as registered with France Travail on entry (the law did it), one of 2024 as not registered', () => {
    expect(registry.upcast('ParcoursOpened', 1, { entryOn: '2025-01-01' })).toEqual({ schemaVersion: 2, data: { entryOn: '2025-01-01', franceTravailRegisteredOn: '2025-01-01' } });
    expect(registry.upcast('ParcoursOpened', 1, { entryOn: '2024-12-31' })).toEqual({ schemaVersion: 2, data: { entryOn: '2024-12-31', franceTravailRegisteredOn: null } });
  });

  it('reads a version 1 contract without adjustment, a version 1 suspension without share, a version 1 resumption without reason', () => {
    expect(registry.upcast('EngagementContractSigned', 1, { kind: 'CE', weeklyActivityHours: 15 }).data).toEqual({ kind: 'CE', weeklyActivityHours: 15, activityHoursAdjustment: null });
    expect(registry.upcast('ParcoursSuspended', 1, { suspendedOn: '2025-07-01' }).data).toEqual({ suspendedOn: '2025-07-01', withheldShare: null, plannedEndOn: null });
    expect(registry.upcast('ParcoursResumed', 1, { resumedOn: '2025-08-01' }).data).toEqual({ resumedOn: '2025-08-01', reason: null });
  });

  it('leaves version 2 data as it is', () => {
    const data = { entryOn: '2025-03-01', franceTravailRegisteredOn: '2025-03-01' };
    expect(registry.upcast('ParcoursOpened', 2, data)).toEqual({ schemaVersion: 2, data });
  });
});
