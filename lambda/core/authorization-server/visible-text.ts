/**
 * Text a client supplies that a page shows (its name, its URLs): every character of it must
 * be one a reader sees. Bidi controls (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C)
 * reorder what follows them, so "Evil\u202Eppa.tseT" reads as "EvilTest.app"; zero-width and
 * other format characters (U+200B-200D, U+2060-2064, U+FEFF, the rest of Unicode's
 * general category Cf) hide inside or split a name; control characters, lone surrogates,
 * line and paragraph separators and the invisible Hangul fillers do the same
 * (MCP security best practices, confused deputy; docs/security.md, case 62).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/u;

/** Whether `text` holds a character a reader cannot see (and that may change what the rest appears to say). */
export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE.test(text);
}
