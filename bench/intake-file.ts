import { createHash } from 'node:crypto';
import communes from '../src/intake/communes-63.json' with { type: 'json' };

/**
 * A CAF/MSA monthly file of made-up entrants, as `intake import` reads it: deterministic from its
 * seed, one person per line, each with its own NIR, allocataire number and name.
 */
export const INTAKE_HEADER = 'numero_allocataire;organisme;nir;nom;prenoms;date_naissance;adresse;code_postal;ville;code_commune;date_ouverture_droits;droit_rsa;role_foyer';

const FIRST_NAMES = ['Camille', 'Léa', 'Hugo', 'Chloé', 'Nathan', 'Inès', 'Louis', 'Jade', 'Gabriel', 'Manon', 'Noé', 'Zoé'];

export interface IntakeLineOptions {
  /** Personal number of the person: two lines with the same number are the same person. */
  person: number;
  seed: string;
  rights?: 'socle' | 'majore' | 'non_socle';
  commune?: string;
  role?: 'demandeur' | 'conjoint';
  organism?: 'CAF' | 'MSA';
}

/** Where a file's people start in the numbering of NIRs and allocataire numbers: two files of other seeds rarely overlap. */
function offsetOf(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) % 500_000;
}

/**
 * A valid NIR derived from a number, distinct for distinct numbers of one seed (up to 500 000): a
 * woman born in 1980–1999, in the Puy-de-Dôme, the number spelled by the commune and order digits.
 */
export function nirOf(person: number, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const n = offsetOf(seed) + person;
  const year = String(80 + (digest[4]! % 20)).padStart(2, '0');
  const month = String(1 + (digest[5]! % 12)).padStart(2, '0');
  const commune = String(Math.floor(n / 999) % 1000).padStart(3, '0');
  const order = String(1 + (n % 999)).padStart(3, '0');
  const body = `2${year}${month}63${commune}${order}`;
  return `${body}${String(97 - Number(BigInt(body) % 97n)).padStart(2, '0')}`;
}

export function intakeLine(options: IntakeLineOptions): string {
  const { person, seed } = options;
  const digest = createHash('sha256').update(`${seed}:${person}`).digest();
  const commune = options.commune ?? communes.communes[digest.readUInt16BE(4) % communes.communes.length]!;
  const insee = typeof commune === 'string' ? commune : commune.insee;
  const city = typeof commune === 'string' ? 'Thiers' : commune.name;
  const nir = nirOf(person, seed);
  const birth = `19${nir.slice(1, 3)}-${nir.slice(3, 5)}-${String(1 + (digest[6]! % 28)).padStart(2, '0')}`;
  const allocataire = String(1_000_000 + offsetOf(seed) + person);
  const lastName = `Nom${seed.replace(/[^A-Za-z]/g, '')}${person.toString(36)}`;
  const first = FIRST_NAMES[digest[12]! % FIRST_NAMES.length]!;
  return [allocataire, options.organism ?? (digest[13]! % 10 === 0 ? 'MSA' : 'CAF'), nir, lastName, first, birth, `${1 + (digest[14]! % 90)} rue de la République`, '63300', city, insee, '2026-10-01', options.rights ?? 'socle', options.role ?? 'demandeur'].join(';');
}

/** A whole file of `count` new people, numbered from `from`. */
export function intakeFile(count: number, seed: string, from = 0): string {
  const lines = [INTAKE_HEADER];
  for (let person = from; person < from + count; person += 1) lines.push(intakeLine({ person, seed }));
  return `${lines.join('\n')}\n`;
}
