/**
 * Which values of the `branding` option a page can hold safely (the config schema,
 * lambda/adapters/config/config-schema.ts, applies these rules to the option).
 *
 * Every value ends up in HTML, CSS or the pages' CSP, so each is held to a shape that
 * cannot leave its context: the colour is `#rgb` or `#rrggbb` (it goes into the
 * stylesheet), URLs are absolute https (a support link may also be mailto:) without quotes,
 * spaces or anything a CSP source list could not hold, and names have no control or
 * invisible formatting characters (bidi overrides could make a name read as another). An
 * inline SVG logo is shown through an <img> (which never runs script or loads anything),
 * and is refused anyway if it holds script, event handlers, foreign content, entity
 * declarations or references outside itself.
 */
import { isCspHost } from './authorization-server/content-security-policy';

export const MAX_PRODUCT_NAME_LENGTH = 60;
export const MAX_LOGO_SVG_BYTES = 32 * 1024;
const MAX_URL_LENGTH = 2000;

/** `#rrggbb` in lower case for a `#rgb` or `#rrggbb` colour, or undefined. */
export function hexColour(value: string): string | undefined {
  const digits = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value)?.[1];
  if (!digits) return undefined;
  return `#${(digits.length === 3 ? [...digits].map((c) => c + c).join('') : digits).toLowerCase()}`;
}

/** C0/C1 controls, and Unicode format characters (bidi overrides and isolates, zero-width joiners, BOM). */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** True when a name holds a control or invisible formatting character. */
export function hasInvisibleCharacters(name: string): boolean {
  return INVISIBLE.test(name);
}

const UNSAFE_IN_URL = /[\s"'<>`;,\\]/;

/** The URL as the URL parser writes it, or undefined when it could break out of an attribute, a CSP source list or its scheme. */
export function pageUrl(value: string, schemes: readonly ('https:' | 'mailto:')[], allow: { readonly query: boolean }): string | undefined {
  if (value.length > MAX_URL_LENGTH || UNSAFE_IN_URL.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!(schemes as readonly string[]).includes(url.protocol) || url.username || url.password || url.hash) return undefined;
  if (url.search && !allow.query) return undefined;
  if (url.protocol === 'https:' && !isCspHost(url.hostname)) return undefined;
  return UNSAFE_IN_URL.test(url.href) ? undefined : url.href;
}

/**
 * Why an inline SVG logo is refused, or undefined. A refusal list, not a sanitiser: a logo
 * is a handful of shapes, and anything beyond them is not worth the risk of a parser
 * disagreement.
 */
export function svgProblem(svg: string): string | undefined {
  if (Buffer.byteLength(svg, 'utf8') > MAX_LOGO_SVG_BYTES) return `must be at most ${MAX_LOGO_SVG_BYTES / 1024} KB`;
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) return 'must not declare a DOCTYPE or entities';
  const body = svg.replace(/^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*/, '');
  if (!/^<svg[\s>]/i.test(body) || !/<\/svg>\s*$/i.test(body)) return 'must be one <svg> element';
  const refused: [RegExp, string][] = [
    [/<\s*script/i, 'must not contain script'],
    [/<\s*(foreignObject|iframe|embed|object|image|use|a|animate|set|handler|listener)[\s/>]/i, 'must hold only shapes, text, gradients and styles (no foreignObject, image, use, links or animation)'],
    [/\son[a-z]+\s*=/i, 'must not have event handler attributes (on...)'],
    [/javascript:|vbscript:|data:/i, 'must not contain javascript:, vbscript: or data: URLs'],
    [/\s(xlink:)?href\s*=\s*["']?(?!#)/i, 'may only reference its own elements (href="#...")'],
    [/url\(\s*["']?(?!#)/i, 'may only reference its own elements (url(#...))'],
    [/@import/i, 'must not import stylesheets'],
  ];
  return refused.find(([pattern]) => pattern.test(svg))?.[1];
}
