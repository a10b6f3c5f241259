/**
 * The frame every page a person sees shares: the authorization server's consent and error
 * pages, and local mode's dev IdP login. One stylesheet (allowed by its hash, so no inline
 * style or script can be injected), light and dark colour schemes, a layout that holds at
 * 320 CSS pixels, and the operator's branding: product name, logo, accent colour, support
 * link.
 *
 * Accessibility (WCAG 2.1 AA): `lang`, one banner, main and contentinfo landmark each,
 * headings in order, a focus ring that shows in both schemes, and text colours of at least
 * 4.5:1. The accent is the operator's choice, so the text on it is picked for contrast
 * (black or white, whichever is higher: one of the two always clears 4.5:1).
 */
import type { BrandingConfig } from '../config';

export interface Branding {
  readonly productName: string;
  /** `#rrggbb`. */
  readonly accentColor: string;
  /** An https URL, or a data: URL of a sanitised SVG. Shown beside the product name. */
  readonly logoUrl?: string;
  /** An https or mailto: URL for "Need help?". */
  readonly supportUrl?: string;
}

export const DEFAULT_BRANDING: Branding = { productName: 'MCP Authorization', accentColor: '#2f5bd3' };

const resolved = new WeakMap<BrandingConfig, Branding>();

/** The operator's `branding` option over the defaults; an inline SVG logo becomes a data: URL for an <img>. */
export function brandingFrom(config: BrandingConfig | undefined): Branding {
  if (!config) return DEFAULT_BRANDING;
  let branding = resolved.get(config);
  if (!branding) {
    const logoUrl = config.logoUrl ?? (config.logoSvg === undefined ? undefined : `data:image/svg+xml;base64,${Buffer.from(config.logoSvg, 'utf8').toString('base64')}`);
    branding = {
      productName: config.productName ?? DEFAULT_BRANDING.productName,
      accentColor: config.accentColor ?? DEFAULT_BRANDING.accentColor,
      ...(logoUrl === undefined ? {} : { logoUrl }),
      ...(config.supportUrl === undefined ? {} : { supportUrl: config.supportUrl }),
    };
    resolved.set(config, branding);
  }
  return branding;
}

export interface PageContent {
  readonly title: string;
  /** Markup inside <main>; every piece of outside text in it is already escaped. */
  readonly main: string;
  /** A notice above the card (the dev IdP's "development only"). Markup. */
  readonly notice?: string;
  readonly branding: Branding;
  /** Navigate there at once (a meta refresh: no script), for a page that only hands the browser on. */
  readonly refreshTo?: string;
}

export interface RenderedPage {
  readonly html: string;
  /** The exact text of the page's <style>, for the CSP hash. */
  readonly stylesheet: string;
  /** Image sources the page loads (the logo), for the CSP. */
  readonly imageSources: readonly string[];
}

export function renderPage(content: PageContent): RenderedPage {
  const { branding } = content;
  const stylesheet = stylesheetFor(branding.accentColor);
  const logo = branding.logoUrl
    ? `<img src="${escapeHtml(branding.logoUrl)}" alt="" class="logo">`
    : DEFAULT_MARK;
  const footer = branding.supportUrl ? `<footer class="site"><p>Need help? <a href="${escapeHtml(branding.supportUrl)}">Contact support</a></p></footer>` : '';
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<meta name="color-scheme" content="light dark">
${content.refreshTo === undefined ? '' : `<meta http-equiv="refresh" content="0;url=${escapeHtml(content.refreshTo)}">\n`}<title>${escapeHtml(content.title)} · ${escapeHtml(branding.productName)}</title>
<style>${stylesheet}</style>
</head>
<body>
<div class="page">
<header class="site">${logo}<span class="product">${escapeHtml(branding.productName)}</span></header>
${content.notice ?? ''}
<main>
${content.main}
</main>
${footer}
</div>
</body>
</html>`;
  return { html, stylesheet, imageSources: branding.logoUrl ? [logoSource(branding.logoUrl)] : [] };
}

/**
 * The one HTML escaper: text, URLs and tokens for element content and quoted attribute
 * values (every attribute of our pages is quoted). The five characters that can end a
 * quoted attribute, open a tag or start an entity become numeric references; `/` and `=`
 * stay readable, so the markup stays legible to people, scrapers and tests.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CSP img-src for the logo: the exact URL (not redirected, so the path counts), or data: for an inline SVG. */
function logoSource(url: string): string {
  return url.startsWith('data:') ? 'data:' : url;
}

/** A neutral key-in-shield mark in the accent colour, used when no logo is configured. */
const DEFAULT_MARK =
  '<svg class="mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><path fill="currentColor" d="M16 2 4 6.5v8.2C4 22.3 9.1 28.6 16 30c6.9-1.4 12-7.7 12-15.3V6.5z"/><circle cx="16" cy="13" r="4" fill="none" stroke="var(--on-accent)" stroke-width="2.4"/><path d="M16 17v7m0-3h3" stroke="var(--on-accent)" stroke-width="2.4" fill="none"/></svg>';

const HEX_COLOUR = /^#[0-9a-f]{6}$/i;

/** Black or white, whichever contrasts more with `background` (WCAG 2.1 relative luminance). */
export function textColourOn(background: string): '#000000' | '#ffffff' {
  const luminance = relativeLuminance(background);
  const onWhite = 1.05 / (luminance + 0.05);
  const onBlack = (luminance + 0.05) / 0.05;
  return onBlack >= onWhite ? '#000000' : '#ffffff';
}

export function relativeLuminance(colour: string): number {
  if (!HEX_COLOUR.test(colour)) throw new Error(`not a #rrggbb colour: ${colour}`);
  const channel = (offset: number) => {
    const c = parseInt(colour.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

const stylesheets = new Map<string, string>();

function stylesheetFor(accent: string): string {
  let css = stylesheets.get(accent);
  if (!css) {
    css = STYLESHEET.replace('ACCENT', accent.toLowerCase()).replace('ON_ACCENT', textColourOn(accent));
    stylesheets.set(accent, css);
  }
  return css;
}

const STYLESHEET = [
  ':root{color-scheme:light dark;--accent:ACCENT;--on-accent:ON_ACCENT;--bg:#f3f4f7;--card:#fff;--text:#16181d;--muted:#4a5162;--line:#d3d7df;--soft:#f0f2f6;--warn-bg:#fff5e3;--warn:#8a4600;--danger-bg:#fdeceb;--danger:#a8231a;--ok:#1b6b38;--focus:#16181d}',
  '@media (prefers-color-scheme:dark){:root{--bg:#0e1014;--card:#171a20;--text:#eceef2;--muted:#b0b7c3;--line:#383e4a;--soft:#1f232b;--warn-bg:#2d2211;--warn:#f0b35c;--danger-bg:#35171a;--danger:#ffaaa3;--ok:#7bd69a;--focus:#eceef2}}',
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;background:var(--bg);color:var(--text);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Ubuntu,sans-serif}',
  '.page{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 2rem}',
  'header.site{display:flex;align-items:center;gap:.6rem;margin:0 0 1rem;font-weight:650;font-size:1.05rem}',
  '.mark{width:1.9rem;height:1.9rem;color:var(--accent);flex:none}',
  '.logo{height:2rem;width:auto;max-width:12rem;flex:none}',
  'main{background:var(--card);border:1px solid var(--line);border-top:4px solid var(--accent);border-radius:12px;padding:1.4rem 1.15rem 1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}',
  '@media (min-width:40rem){.page{padding-top:3rem}main{padding:2rem 2.25rem}}',
  'h1{font-size:1.4rem;line-height:1.3;margin:0 0 .75rem;overflow-wrap:anywhere}',
  'h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.07em;color:var(--muted);margin:1.4rem 0 .6rem;padding-top:1.1rem;border-top:1px solid var(--line)}',
  'h3{font-size:1rem;margin:.2rem 0 0}',
  'p{margin:.5rem 0}',
  'a{color:inherit;text-decoration:underline;text-underline-offset:2px}',
  'code,.uri{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere;word-break:break-word}',
  '.uri{display:block;background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.35rem .55rem;margin:.3rem 0}',
  '.muted{color:var(--muted)}',
  '.lead{font-size:1.05rem}',
  'dl.facts{margin:.25rem 0;display:grid;gap:.3rem 1rem}',
  'dl.facts dt{font-weight:600;font-size:.92rem;color:var(--muted);margin-top:.45rem}',
  'dl.facts dd{margin:0;min-width:0;overflow-wrap:anywhere}',
  '@media (min-width:40rem){dl.facts{grid-template-columns:10rem minmax(0,1fr);row-gap:.8rem}dl.facts dt{margin-top:0;padding-top:.05rem}}',
  '.verified{color:var(--ok);font-weight:650}',
  '.verified::before{content:"\\2713\\00a0" / ""}',
  '.notice{border:1px solid var(--warn);border-left-width:5px;background:var(--warn-bg);border-radius:8px;padding:.6rem .85rem;margin:1rem 0}',
  '.notice strong{color:var(--warn)}',
  'main>.notice:first-child{margin-top:0}',
  'ul.scopes{list-style:none;margin:.5rem 0 1rem;padding:0}',
  'ul.scopes li{padding:.55rem .75rem;border:1px solid var(--line);border-radius:8px;margin:.4rem 0;background:var(--soft)}',
  'ul.scopes code{display:block;color:var(--muted);font-size:.8rem;margin-top:.1rem}',
  '.account{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem .75rem}',
  '.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.75rem 0 .5rem}',
  '.actions button{flex:1 1 9rem}',
  'button,.button{font:inherit;font-weight:650;border-radius:8px;padding:.65rem 1.3rem;min-height:2.75rem;cursor:pointer;border:2px solid var(--text);background:transparent;color:var(--text);text-align:center;text-decoration:none;display:inline-block}',
  'button.primary,.button.primary{background:var(--accent);border-color:var(--accent);color:var(--on-accent)}',
  'button.link{border:0;padding:0;min-height:0;font-weight:500;text-decoration:underline;text-underline-offset:2px}',
  ':focus-visible{outline:3px solid var(--focus);outline-offset:3px}',
  'button:hover{filter:brightness(1.08)}',
  'form.login label{display:block;font-weight:600;margin:1rem 0 .3rem}',
  'form.login input{display:block;width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--muted);border-radius:8px;background:var(--card);color:var(--text)}',
  'form.login button{width:100%;margin-top:1.4rem;background:var(--accent);border-color:var(--accent);color:var(--on-accent)}',
  '.error{border:1px solid var(--danger);border-left-width:5px;border-radius:8px;padding:.55rem .85rem;background:var(--danger-bg);color:var(--text);font-weight:600}',
  'footer.site{color:var(--muted);font-size:.88rem;margin-top:1.25rem;text-align:center}',
  'footer.site p{margin:.25rem 0}',
  '@media (prefers-reduced-motion:reduce){*{transition:none!important}}',
].join('\n');
