import fc from 'fast-check';
import { PARTNER_KINDS } from '../../../access/roles.js';
import { appointmentRecorded, diagnosed, FRANCE_TRAVAIL_THIERS, identityRectified, opened, reorientationAccepted, reorientationRejected } from '../../domain/parcours.fixtures.js';
import { minimise, type MinimisedData } from './minimise.js';
import { allowanceFor, DEFAULT_FEED_POLICY, isListField, WORKPLACE_FORBIDDEN_FIELDS, WORKPLACE_KINDS } from './feed-policy.js';
import { EXTRA_MARKER, eventWithAnyData, eventWithExtraFields, IDENTITY_MARKER } from './feed.fixtures.js';

/** Dotted paths of the leaves of a minimised data object (a list of values is one leaf). */
function leafPaths(data: MinimisedData, prefix = ''): string[] {
  return Object.entries(data).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? leafPaths(value, path) : [path];
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
        const isLeaf = (value: unknown) => value === null || ['string', 'boolean'].includes(typeof value) || Number.isFinite(value);
        for (const path of leafPaths(delivered.data)) {
          expect(allowance.fields).toContain(path);
          const value = valueAt(delivered.data, path);
          // A list only where the catalogue declares one, and of leaves only.
          if (Array.isArray(value)) {
            expect(isListField(event.type, path)).toBe(true);
            for (const element of value) expect(isLeaf(element)).toBe(true);
          } else expect(isLeaf(value)).toBe(true);
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

describe('minimise of a rectification (RGPD art. 16)', () => {
  const rectified = identityRectified({ fields: ['lastName', 'address'], identity: { ciphertext: `${IDENTITY_MARKER}corrected` } });

  it('tells every kind which fields changed, as a list, never the corrected identity nor the recomputed age band', () => {
    for (const kind of PARTNER_KINDS) {
      const delivered = minimise(rectified, kind, DEFAULT_FEED_POLICY);
      expect({ kind, delivered }).toEqual({ kind, delivered: { type: 'IdentityRectified', data: { fields: ['lastName', 'address'], rectifiedOn: '2026-03-10' } } });
      expect(JSON.stringify(delivered)).not.toContain(IDENTITY_MARKER);
    }
  });

  it('copies the list into a new one: the delivered event does not change with the source event', () => {
    const source = identityRectified({ fields: ['lastName'] });
    const delivered = minimise(source, 'france_travail', DEFAULT_FEED_POLICY);
    expect(delivered?.data.fields).not.toBe(source.data.fields);
    source.data.fields.push('nir');
    expect(delivered?.data.fields).toEqual(['lastName']);
  });

  it('drops a list holding anything but JSON leaves, and a single value where the catalogue declares a list', () => {
    // An object in the list could be a ciphertext, a nested list anything at all: the whole list goes.
    for (const fields of [['lastName', { ciphertext: `${IDENTITY_MARKER}x` }], ['lastName', ['address']], ['lastName', Number.NaN], ['lastName', undefined], 'lastName', { 0: 'lastName' }]) {
      const odd = { type: 'IdentityRectified', data: { ...rectified.data, fields } };
      expect({ fields, data: minimise(odd, 'departement', DEFAULT_FEED_POLICY)?.data }).toEqual({ fields, data: { rectifiedOn: '2026-03-10' } });
    }
  });

  it('delivers the list only when it names identity fields, an empty one too: anything else there could be the identity itself', () => {
    for (const fields of [[], ['lastName', 'nir', 'email']]) {
      const named = { type: 'IdentityRectified', data: { ...rectified.data, fields } };
      expect(minimise(named, 'caf', DEFAULT_FEED_POLICY)?.data).toEqual({ fields, rectifiedOn: '2026-03-10' });
    }
    for (const fields of [['lastName', 'Dupont'], ['lastName', null, 3, true], ['1 rue des Lilas']]) {
      const odd = { type: 'IdentityRectified', data: { ...rectified.data, fields } };
      expect({ fields, data: minimise(odd, 'caf', DEFAULT_FEED_POLICY)?.data }).toEqual({ fields, data: { rectifiedOn: '2026-03-10' } });
    }
  });

  it('reads a list only where the catalogue declares one: a list elsewhere is dropped', () => {
    const odd = { type: 'IdentityRectified', data: { ...rectified.data, rectifiedOn: ['2026-03-10'] } };
    expect(minimise(odd, 'departement', DEFAULT_FEED_POLICY)?.data).toEqual({ fields: ['lastName', 'address'] });
  });
});
