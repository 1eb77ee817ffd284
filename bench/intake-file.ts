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

/** A valid NIR derived from a number: a woman born in 1980–1999, in a commune of the Puy-de-Dôme. */
export function nirOf(person: number, seed: string): string {
  const digest = createHash('sha256').update(`${seed}:${person}`).digest();
  const year = String(80 + (digest[0]! % 20)).padStart(2, '0');
  const month = String(1 + (digest[1]! % 12)).padStart(2, '0');
  const commune = String(1 + (digest.readUInt16BE(2) % 470)).padStart(3, '0');
  const order = String(1 + (person % 999)).padStart(3, '0');
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
  const allocataire = String(1_000_000 + ((digest.readUInt32BE(8) + person) % 9_000_000));
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
