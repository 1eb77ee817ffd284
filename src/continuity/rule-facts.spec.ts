import { contactRecorded, opened, reorientationRequested } from '../parcours/domain/parcours.fixtures.js';
import { recorded } from './continuity.fixtures.js';
import { parcoursHistoryOf, type Entry } from './parcours-history.js';
import { readFact, ruleClocks, type Facts } from './rule-facts.js';

describe('the facts of a rule', () => {
  const ignore = (_entry: Entry): void => undefined;

  it('are held by the compiler to the rule’s line in READ_BY, both ways (checked by tsc, which reads the specs)', () => {
    const r7 = { ReorientationRequested: ignore, ReorientationDecided: ignore, ParcoursExited: ignore, ParcoursArchived: ignore };
    const { ReorientationDecided: _decided, ...withoutDecision } = r7;
    const rules = [
      ruleClocks('R7', () => r7),
      // @ts-expect-error R7 is named for ReorientationDecided: a table without it is refused.
      ruleClocks('R7', () => withoutDecision),
      // @ts-expect-error R7 is not named for ContactRecorded: a table reading it is refused.
      ruleClocks('R7', () => ({ ...r7, ContactRecorded: ignore })),
    ];
    expect(rules).toHaveLength(3);
  });

  it('see only the entries of the types they read, each typed by its own', () => {
    const seen: string[] = [];
    const facts: Facts<'R7'> = {
      ReorientationRequested: (entry) => seen.push(`${entry.event.type} ${entry.event.data.requestedOn}`),
      ReorientationDecided: ignore,
      ParcoursExited: ignore,
      ParcoursArchived: ignore,
    };
    const history = parcoursHistoryOf(recorded([opened(), contactRecorded(), reorientationRequested()]), '2026-12-31');
    for (const entry of history.entries) readFact(facts, entry);
    expect(seen).toEqual(['ReorientationRequested 2026-03-10']);
  });
});
