/**
 * The normal forms that blind indexes are computed from: two spellings of one identifier that a
 * caseworker or a CAF file would consider the same must give the same text, hence the same digest.
 * Pure functions; nothing here is stored or logged.
 */

/** NIR as people write it (spaces, dots, dashes; 2a/2b) → 15 upper-case characters. */
export function normaliseNir(nir: string): string {
  return nir.replace(/[\s.-]/g, '').toUpperCase();
}

export const ALLOCATAIRE_ORGANISMS = ['caf', 'msa'] as const;
export type AllocataireOrganism = (typeof ALLOCATAIRE_ORGANISMS)[number];

/**
 * An allocataire number names a household's file at one organism, not a person: the demandeur and
 * the conjoint share it and each may have a parcours. Its index therefore holds the organism, the
 * number (spaces and leading zeros dropped: files pad it, people do not) and the household role.
 */
export function normaliseAllocataire(organism: AllocataireOrganism, number: string, householdRole: string): string {
  const digits = number.replace(/[\s.-]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
  return `${organism.toUpperCase()}|${digits}|${householdRole}`;
}

/**
 * Last name, first names and birth date, the way civil-status clerks compare them: accents,
 * ligatures, case, hyphens, apostrophes and spaces do not count, nor does the order of the first
 * names ("Marie-Anne Élise" = "ELISE MARIE ANNE"). The last name is kept as one word ("Le Goff" =
 * "LEGOFF"); the first names as a sorted set of words.
 */
export function normaliseNameAndBirthDate(lastName: string, firstNames: string, birthDate: string): string {
  const last = letters(lastName).replace(/[^A-Z0-9]/g, '');
  const firsts = letters(firstNames)
    .split(/[^A-Z0-9]+/)
    .filter((word) => word.length > 0)
    .sort();
  return `${last}|${firsts.join(' ')}|${birthDate}`;
}

const LIGATURES: Readonly<Record<string, string>> = { Œ: 'OE', œ: 'oe', Æ: 'AE', æ: 'ae', ß: 'ss' };

function letters(text: string): string {
  return text
    .replace(/[ŒœÆæß]/g, (ligature) => LIGATURES[ligature]!)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
}
