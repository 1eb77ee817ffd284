import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/app-config.js';
import { isKnownTerritory } from '../partners/territories/territories.js';
import shipped from './communes-63.json' with { type: 'json' };

export const INTAKE_COMMUNES_VARIABLE = 'INTAKE_COMMUNES_FILE';

/**
 * Commune INSEE code → territory (EPCI) of the entrants of the monthly file: the Puy-de-Dôme map
 * shipped with the project, or the file INTAKE_COMMUNES_FILE names (same shape), checked at start.
 */
export function loadCommuneTerritories(file?: string): ReadonlyMap<string, string> {
  const source = file ?? 'src/intake/communes-63.json';
  let document: unknown = shipped;
  if (file !== undefined) {
    try {
      document = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(INTAKE_COMMUNES_VARIABLE, `cannot be read as JSON (${file}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const communes = (document as { communes?: unknown } | null)?.communes;
  if (!Array.isArray(communes) || communes.length === 0) throw new ConfigError(INTAKE_COMMUNES_VARIABLE, `(${source}) must hold a non-empty "communes" list of { insee, territory }`);
  const map = new Map<string, string>();
  for (const [index, entry] of communes.entries()) {
    const { insee, territory } = (entry ?? {}) as { insee?: unknown; territory?: unknown };
    if (typeof insee !== 'string' || !/^(\d{5}|2[AB]\d{3})$/.test(insee)) throw new ConfigError(INTAKE_COMMUNES_VARIABLE, `(${source}) commune ${index}: "insee" must be a 5-character INSEE code`);
    if (typeof territory !== 'string' || !isKnownTerritory(territory)) throw new ConfigError(INTAKE_COMMUNES_VARIABLE, `(${source}) commune ${insee}: "territory" must be a known territory code (GET /v1/territories)`);
    if (map.has(insee)) throw new ConfigError(INTAKE_COMMUNES_VARIABLE, `(${source}) commune ${insee} appears twice`);
    map.set(insee, territory);
  }
  return map;
}
