/**
 * A member's user id is the `sub` of their identity (ProConnect, or any OIDC provider): OIDC
 * Core §2 makes it at most 255 ASCII characters, and ProConnect's pairwise subs (a hex digest, or
 * a uuid) use letters, digits and `-`. The characters allowed here are those, plus the separators
 * other providers put in theirs (`auth0|…`, `user@realm`, `urn:…`): no space, no quote, no
 * control or invisible character (U+202E would show another id than the stored one), nothing a
 * URL, a log line or a CSV cell would have to escape.
 */
export const MEMBER_ID_PATTERN = /^[A-Za-z0-9._~:@|+=-]{1,255}$/;

export const MEMBER_ID_DESCRIPTION = '1 to 255 characters among A-Z a-z 0-9 . _ ~ : @ | + = -';

export function isMemberId(value: unknown): value is string {
  return typeof value === 'string' && MEMBER_ID_PATTERN.test(value);
}
