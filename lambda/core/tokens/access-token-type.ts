/** The `typ` of an access token: `at+jwt`, and on reading its full media type too, case-insensitively (RFC 9068 section 2.1, RFC 7515 section 4.1.9). */

/** What we write into every access token we issue. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

export function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}
