import fc from 'fast-check';
import { PARTNER_KINDS } from '../../../partners/domain/roles.js';
import { appointmentRecorded, diagnosed, FRANCE_TRAVAIL_THIERS, opened, reorientationAccepted, reorientationRejected } from '../../domain/parcours.fixtures.js';
import { minimise, type MinimisedData } from './feed.js';
import { allowanceFor, DEFAULT_FEED_POLICY, WORKPLACE_FORBIDDEN_FIELDS, WORKPLACE_KINDS } from './feed-policy.js';
import { EXTRA_MARKER, eventWithAnyData, eventWithExtraFields, IDENTITY_MARKER } from './feed.fixtures.js';

/** Dotted paths of the leaves of a minimised data object. */
function leafPaths(data: MinimisedData, prefix = ''): string[] {
  return Object.entries(data).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return typeof value === 'object' && value !== null ? leafPaths(value, path) : [path];
  });
}

function keysAnywhere(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysAnywhere(inner)]);
}

function valueAt(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined), data);
}

describe.each(PARTNER_KINDS)('minimise for a %s', (kind) => {
  it('delivers exactly the allow-listed fields of any event, whatever extra fields its data carries, and never the identity', () => {
    fc.assert(
      fc.property(eventWithExtraFields, (event) => {
        const allowance = allowanceFor(DEFAULT_FEED_POLICY, kind, event.type);
        const delivered = minimise(event, kind, DEFAULT_FEED_POLICY);
        if (allowance === null) {
          expect(delivered).toBeNull();
          return;
        }
        expect(delivered).not.toBeNull();
        if (delivered === null) return;
        expect(delivered.type).toBe(event.type);
        const paths = leafPaths(delivered.data);
        for (const path of paths) expect(allowance.fields).toContain(path);
        expect(keysAnywhere(delivered.data)).not.toContain('identity');
        const serialised = JSON.stringify(delivered);
        expect(serialised).not.toContain(IDENTITY_MARKER);
        expect(serialised).not.toContain(EXTRA_MARKER);
        // Nothing allowed is lost either: every allow-listed field the event has arrives unchanged.
        for (const field of allowance.fields) expect(valueAt(delivered.data, field)).toEqual(valueAt(event.data, field));
      }),
      { numRuns: 300 },
    );
  });

  it('never copies more than allow-listed JSON leaves out of hostile data', () => {
    fc.assert(
      fc.property(eventWithAnyData, (event) => {
        const allowance = allowanceFor(DEFAULT_FEED_POLICY, kind, event.type);
        const delivered = minimise(event, kind, DEFAULT_FEED_POLICY);
        if (allowance === null || delivered === null) {
          expect(delivered).toBeNull();
          expect(allowance).toBeNull();
          return;
        }
        for (const path of leafPaths(delivered.data)) {
          expect(allowance.fields).toContain(path);
          const value = valueAt(delivered.data, path);
          expect(value === null || ['string', 'boolean'].includes(typeof value) || Number.isFinite(value)).toBe(true);
        }
        expect(JSON.stringify(delivered)).not.toContain(IDENTITY_MARKER);
      }),
      { numRuns: 200 },
    );
  });

  if (WORKPLACE_KINDS.includes(kind)) {
    it('never delivers the health, family, housing or finances barriers', () => {
      fc.assert(
        fc.property(eventWithExtraFields, (event) => {
          const delivered = minimise(event, kind, DEFAULT_FEED_POLICY);
          if (delivered === null) return;
          for (const field of WORKPLACE_FORBIDDEN_FIELDS) expect(valueAt(delivered.data, field)).toBeUndefined();
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('minimise', () => {
  it('builds the output from the allow-list: a field added to an event after the policy does not leak', () => {
    const event = opened();
    const withNewField = { type: event.type, data: { ...event.data, birthName: { ciphertext: 'x' }, comment: 'a free text' } };
    expect(minimise(withNewField, 'france_travail', DEFAULT_FEED_POLICY)).toEqual({
      type: 'ParcoursOpened',
      data: {
        parcoursId: event.data.parcoursId,
        householdRole: 'demandeur',
        rsaSocle: true,
        entryOn: '2026-01-05',
        territory: 'cc-thiers-dore-et-montagne',
        source: 'caf',
        ageBandAtEntry: '26_to_49',
      },
    });
  });

  it('drops an object found where a value belongs, and leaves a missing field missing', () => {
    const event = diagnosed();
    const odd = {
      type: event.type,
      data: { ...event.data, recentActivity: { secret: 'health notes' }, barriers: { ...event.data.barriers, mobility: ['strong'] }, diagnosedOn: undefined },
    };
    const delivered = minimise(odd, 'departement', DEFAULT_FEED_POLICY);
    expect(delivered?.data).not.toHaveProperty('recentActivity');
    expect(delivered?.data).not.toHaveProperty('diagnosedOn');
    expect(delivered?.data.barriers).not.toHaveProperty('mobility');
    expect(delivered?.data.barriers).toHaveProperty('health', 'medium');
  });

  it('does not read fields through the prototype chain', () => {
    const data = Object.create({ partnerId: 'inherited' }) as Record<string, unknown>;
    data.appointmentId = 'a1';
    expect(minimise({ type: 'AppointmentRecorded', data }, 'departement', DEFAULT_FEED_POLICY)?.data).toEqual({ appointmentId: 'a1' });
  });

  it('delivers either branch of a reorientation decision', () => {
    expect(minimise(reorientationAccepted(), 'caf', DEFAULT_FEED_POLICY)?.data).toEqual({
      accepted: true,
      parcoursType: 'emploi',
      organismeReferentId: FRANCE_TRAVAIL_THIERS,
      decidedOn: '2026-03-12',
    });
    expect(minimise(reorientationRejected(), 'france_travail', DEFAULT_FEED_POLICY)?.data).toEqual({
      accepted: false,
      rejectionReason: 'current_orientation_suitable',
      decidedOn: '2026-03-12',
    });
  });

  it('returns null for a type the kind does not receive, and for an unknown type', () => {
    expect(minimise(appointmentRecorded(), 'caf', DEFAULT_FEED_POLICY)).toBeNull();
    expect(minimise({ type: 'SomethingNew', data: { partnerId: 'p' } }, 'departement', DEFAULT_FEED_POLICY)).toBeNull();
  });
});
