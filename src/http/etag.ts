import { ProblemError } from './problem.js';

/** The version of a stream as a strong ETag: `"7"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header states, or undefined without the header (the command then runs
 * against the latest version). Weak validators are accepted: versions are exact either way.
 */
export function versionFromIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(value ?? '');
  if (!match) throw new ProblemError(400, 'invalid_if_match', 'If-Match must carry the ETag of the resource', `got ${JSON.stringify(value)}`);
  return Number(match[1]);
}
