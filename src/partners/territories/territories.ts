import reference from './territories.json' with { type: 'json' };

/** A territory unit (EPCI / bassin de vie) from the reference file shipped with the project. */
export interface Territory {
  code: string;
  name: string;
  siren: string | null;
  experimentation: boolean;
}

export const TERRITORIES: readonly Territory[] = Object.freeze(reference.territories.map((territory) => Object.freeze({ ...territory })));

const CODES = new Set(TERRITORIES.map((territory) => territory.code));

export function isKnownTerritory(code: string): boolean {
  return CODES.has(code);
}

/** The four EPCI of the Thiers experimentation (2021). */
export const EXPERIMENTATION_TERRITORIES: readonly string[] = TERRITORIES.filter((territory) => territory.experimentation).map(
  (territory) => territory.code,
);
