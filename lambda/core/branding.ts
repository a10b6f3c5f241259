/**
 * The `branding` option: the product name, logo, accent colour and support link on the
 * pages people see (consent, errors, local mode's dev IdP login).
 *
 * Every value ends up in HTML or CSS, so each is held to a shape that cannot leave its
 * context: the colour is `#rgb` or `#rrggbb` (it goes into the stylesheet), URLs are
 * absolute https (a support link may also be mailto:) without quotes, spaces or anything a
 * CSP source list could not hold, and names have no control or invisible formatting
 * characters (bidi overrides could make a name read as another). An inline SVG logo is
 * shown through an <img> (which never runs script or loads anything), and is refused
 * anyway if it holds script, event handlers, foreign content, entity declarations or
 * references outside itself.
 */

export interface BrandingConfig {
  /** Beside the logo at the top of every page, and in page titles. @default "MCP Authorization" */
  readonly productName?: string;
  /** `#rrggbb` (a `#rgb` input is expanded). The text on it is black or white, whichever contrasts more. */
  readonly accentColor?: string;
  /** An https image URL, loaded by the browser (and allowed by the pages' CSP img-src, exactly). */
  readonly logoUrl?: string;
  /** An SVG logo, inline: the markup itself. The config loaders fill it from `logoSvgFile`. */
  readonly logoSvg?: string;
  /** https or mailto: URL behind "Need help? Contact support". */
  readonly supportUrl?: string;
}

export interface BrandingProblem {
  /** Below `branding`, e.g. `.accentColor`. */
  readonly path: string;
  readonly message: string;
}

export const MAX_LOGO_SVG_BYTES = 32 * 1024;
const MAX_NAME = 60;
const MAX_URL = 2000;
const KNOWN = new Set(['productName', 'accentColor', 'logoUrl', 'logoSvg', 'logoSvgFile', 'supportUrl']);

export function parseBranding(input: unknown): { readonly branding: BrandingConfig; readonly problems: readonly BrandingProblem[] } {
  const problems: BrandingProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problem('', 'must be an object');
    return { branding: {}, problems };
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KNOWN.has(key)) problem(`.${key}`, `is not an option (${[...KNOWN].join(', ')})`);

  const branding: { -readonly [K in keyof BrandingConfig]: BrandingConfig[K] } = {};
  if (o.productName !== undefined) {
    const name = o.productName;
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME) problem('.productName', `must be a string of 1 to ${MAX_NAME} characters`);
    else if (INVISIBLE.test(name)) problem('.productName', 'must not contain control, bidi or other invisible formatting characters');
    else branding.productName = name.trim();
  }
  if (o.accentColor !== undefined) {
    const colour = typeof o.accentColor === 'string' ? /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(o.accentColor)?.[1] : undefined;
    if (!colour) problem('.accentColor', 'must be a hex colour, #rgb or #rrggbb');
    else branding.accentColor = `#${(colour.length === 3 ? [...colour].map((c) => c + c).join('') : colour).toLowerCase()}`;
  }
  if (o.logoUrl !== undefined) {
    const url = safeUrl(o.logoUrl, ['https:'], { query: false });
    if (!url) problem('.logoUrl', 'must be an absolute https URL with no query, fragment, credentials, quotes, spaces, commas or semicolons');
    else branding.logoUrl = url;
  }
  if (o.logoSvgFile !== undefined) {
    problem('.logoSvgFile', 'was not read: the config loader replaces it with logoSvg (the file\'s text); put the markup in logoSvg, or load the file with the local mode or CDK loader');
  }
  if (o.logoSvg !== undefined) {
    const why = typeof o.logoSvg === 'string' ? svgProblem(o.logoSvg) : 'must be the SVG markup as a string';
    if (why) problem('.logoSvg', why);
    else branding.logoSvg = o.logoSvg as string;
  }
  if (branding.logoUrl !== undefined && o.logoSvg !== undefined) problem('', 'set logoUrl or logoSvg (logoSvgFile), not both');
  if (o.supportUrl !== undefined) {
    const url = safeUrl(o.supportUrl, ['https:', 'mailto:'], { query: true });
    if (!url) problem('.supportUrl', 'must be an absolute https or mailto: URL with no quotes, spaces, commas or semicolons');
    else branding.supportUrl = url;
  }
  return { branding, problems };
}

/** C0/C1 controls, and Unicode format characters (bidi overrides and isolates, zero-width joiners, BOM). */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** The URL as the URL parser writes it, or undefined when it could break out of an attribute, a CSP source list or its scheme. */
function safeUrl(value: unknown, schemes: readonly string[], allow: { readonly query: boolean }): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL || /[\s"'<>`;,\\]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!schemes.includes(url.protocol) || url.username || url.password || url.hash) return undefined;
  if (url.search && !allow.query) return undefined;
  if (url.protocol === 'https:' && !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(url.hostname)) return undefined;
  return /[\s"'<>`;,\\]/.test(url.href) ? undefined : url.href;
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
