import { svgProblem } from '../../lambda/core/branding';
import { ConfigError, parseConfig } from '../../lambda/adapters/config/parse-config';
import { brandingFrom, relativeLuminance, renderPage, textColourOn } from '../../lambda/core/authorization-server/page-layout';
import { inlineBrandingFiles } from '../../lambda/adapters/config/branding-files';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { a0, authorize, browserTestDeps } from '../support/browser-flow';

const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#f00"/></linearGradient></defs><circle cx="5" cy="5" r="4" fill="url(#g)"/></svg>';

const shipped = () => JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));

/** The config schema's answer to `branding: input`: the branding it yields and every problem it names. */
function parseBranding(input: unknown): { branding: unknown; problems: string[] } {
  try {
    return { branding: parseConfig({ ...shipped(), branding: input }).branding, problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { branding: undefined, problems: [...error.problems] };
  }
}

describe('config-schema.ts: the branding option (rules of lambda/core/branding.ts)', () => {
  it('accepts a full branding and normalises it', () => {
    expect(parseBranding({ productName: ' Acme MCP ', accentColor: '#0B5', logoUrl: 'https://cdn.acme.example/logo.svg', supportUrl: 'mailto:help@acme.example' })).toEqual({
      branding: { productName: 'Acme MCP', accentColor: '#00bb55', logoUrl: 'https://cdn.acme.example/logo.svg', supportUrl: 'mailto:help@acme.example' },
      problems: [],
    });
    expect(parseBranding({ logoSvg: LOGO, supportUrl: 'https://help.acme.example/mcp?from=consent' })).toEqual({
      branding: { logoSvg: LOGO, supportUrl: 'https://help.acme.example/mcp?from=consent' },
      problems: [],
    });
  });

  it('is optional: without it the config has no branding', () => {
    expect(parseConfig(shipped()).branding).toBeUndefined();
  });

  it.each([
    [{ accentColor: 'red' }, 'branding.accentColor'],
    [{ accentColor: '#12345' }, 'branding.accentColor'],
    [{ accentColor: '#000;} body{display:none' }, 'branding.accentColor'],
    [{ productName: '' }, 'branding.productName'],
    [{ productName: 'x'.repeat(61) }, 'branding.productName'],
    [{ productName: 'Acme\u202Eevil' }, 'branding.productName'],
    [{ productName: 'Ac\u200Bme' }, 'branding.productName'],
    [{ logoUrl: 'http://cdn.acme.example/logo.svg' }, 'branding.logoUrl'],
    [{ logoUrl: 'javascript:alert(1)' }, 'branding.logoUrl'],
    [{ logoUrl: 'https://cdn.acme.example/logo.svg?v=1' }, 'branding.logoUrl'],
    [{ logoUrl: 'https://cdn.acme.example/a;script-src *' }, 'branding.logoUrl'],
    [{ logoUrl: 'https://cdn.acme.example/"onerror="x' }, 'branding.logoUrl'],
    [{ logoUrl: 'https://user:pw@cdn.acme.example/logo.svg' }, 'branding.logoUrl'],
    [{ supportUrl: 'javascript:alert(1)' }, 'branding.supportUrl'],
    [{ supportUrl: 'data:text/html,x' }, 'branding.supportUrl'],
    [{ logoSvg: '<svg><script>alert(1)</script></svg>' }, 'branding.logoSvg'],
    [{ logoUrl: 'https://cdn.acme.example/logo.svg', logoSvg: LOGO }, 'branding'],
    [{ colour: '#fff' }, 'branding.colour'],
    [{ logoSvgFile: 'logo.svg' }, 'branding.logoSvgFile'],
    ['blue', 'branding'],
  ])('refuses %j (%s)', (input, path) => {
    const found = parseBranding(input).problems;
    expect(found).toHaveLength(1);
    expect(found[0].startsWith(`${path}: `)).toBe(true);
  });

  it('is reported by parseConfig under its dotted path, with every other problem', () => {
    const deps = () => browserTestDeps((raw) => { raw.branding = { accentColor: 'blue', supportUrl: 'ftp://x.example' }; });
    expect(deps).toThrow(ConfigError);
    expect(deps).toThrow(/branding\.accentColor: must be a hex colour[\s\S]*branding\.supportUrl: must be an absolute https or mailto: URL/);
  });
});

describe('branding.ts: svgProblem (inline logos)', () => {
  it('accepts shapes, gradients, text and internal references, with an XML declaration and comments before', () => {
    expect(svgProblem(LOGO)).toBeUndefined();
    expect(svgProblem(`<?xml version="1.0"?>\n<!-- logo -->\n${LOGO}\n`)).toBeUndefined();
    expect(svgProblem('<svg viewBox="0 0 9 9"><text x="0" y="8">A</text><path d="M0 0h9"/></svg>')).toBeUndefined();
  });

  it.each([
    ['<svg><script>alert(1)</script></svg>', 'script'],
    ['<svg><SCRIPT >alert(1)</SCRIPT></svg>', 'script'],
    ['<svg onload="alert(1)"></svg>', 'event handler'],
    ['<svg><circle onclick =alert(1) r="1"/></svg>', 'event handler'],
    ['<svg><foreignObject><iframe src="x"></iframe></foreignObject></svg>', 'shapes'],
    ['<svg><image href="https://evil.example/x.png"/></svg>', 'shapes'],
    ['<svg><use href="https://evil.example/sprite.svg#a"/></svg>', 'shapes'],
    ['<svg><a href="javascript:alert(1)"><circle r="1"/></a></svg>', 'shapes'],
    ['<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>', 'shapes'],
    ['<svg><linearGradient xlink:href="https://evil.example/g.svg#g"/></svg>', 'its own elements'],
    ['<svg><rect style="fill:url(https://evil.example/track)"/></svg>', 'its own elements'],
    ['<svg><style>@import "https://evil.example/x.css";</style></svg>', 'import'],
    ['<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', 'DOCTYPE'],
    ['<html><svg></svg></html>', 'one <svg>'],
    ['<svg></svg><script>alert(1)</script>', 'one <svg>'],
    [`<svg>${'<path d="M0 0"/>'.repeat(3000)}</svg>`, 'at most 32 KB'],
  ])('refuses %s', (svg, reason) => {
    expect(svgProblem(svg)).toContain(reason);
  });
});

describe('adapters/config/branding-files.ts: logoSvgFile', () => {
  it('reads the file next to the config into logoSvg, which then validates like inline markup', () => {
    const dir = mkdtempSync(join(tmpdir(), 'branding-'));
    try {
      writeFileSync(join(dir, 'logo.svg'), LOGO);
      const raw = inlineBrandingFiles({ issuer: 'x', branding: { productName: 'Acme', logoSvgFile: 'logo.svg' } }, dir);
      expect(raw).toEqual({ issuer: 'x', branding: { productName: 'Acme', logoSvg: LOGO } });
      expect(() => inlineBrandingFiles({ branding: { logoSvgFile: 'missing.svg' } }, dir)).toThrow(/branding\.logoSvgFile: cannot read/);
      expect(inlineBrandingFiles({ branding: { productName: 'Acme' } }, dir)).toEqual({ branding: { productName: 'Acme' } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('page-layout.ts: branding on the pages', () => {
  it('text on the accent is black or white, whichever clears 4.5:1', () => {
    for (const accent of ['#000000', '#ffffff', '#2f5bd3', '#ffcc00', '#777777', '#767676', '#008000', '#ff0000']) {
      const text = textColourOn(accent);
      const [l1, l2] = [relativeLuminance(accent), relativeLuminance(text)].sort((a, b) => b - a);
      expect((l1 + 0.05) / (l2 + 0.05)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('an inline SVG logo is shown through <img> as a data: URL, never as markup in the page', () => {
    const page = renderPage({ title: 't', main: '<h1>t</h1>', branding: brandingFrom({ logoSvg: LOGO, productName: 'Acme MCP' }) });
    expect(page.html).toContain(`<img src="data:image/svg+xml;base64,${Buffer.from(LOGO).toString('base64')}" alt="" class="logo">`);
    expect(page.html).not.toContain('<circle');
    expect(page.imageSources).toEqual(['data:']);
  });

  it('the consent page carries product name, accent, logo, support link, and a CSP that allows exactly that logo', async () => {
    const deps = browserTestDeps((raw) => {
      raw.branding = { productName: 'Acme MCP', accentColor: '#0b5fff', logoUrl: 'https://cdn.acme.example/logo.svg', supportUrl: 'https://help.acme.example/mcp' };
    });
    const response = await authorize(deps, a0());
    expect(response.body).toContain('<title>Authorize Client One · Acme MCP</title>');
    expect(response.body).toContain('<span class="product">Acme MCP</span>');
    expect(response.body).toContain('--accent:#0b5fff;--on-accent:#ffffff');
    expect(response.body).toContain('<img src="https://cdn.acme.example/logo.svg" alt="" class="logo">');
    expect(response.body).toContain('<a href="https://help.acme.example/mcp">Contact support</a>');
    expect(response.headers['Content-Security-Policy']).toContain('; img-src https://cdn.acme.example/logo.svg;');
  });

  it('without branding: the built-in name and accent, no image source, no support link', async () => {
    const response = await authorize(browserTestDeps(), a0());
    expect(response.body).toContain('<span class="product">MCP Authorization</span>');
    expect(response.headers['Content-Security-Policy']).not.toContain('img-src');
    expect(response.body).not.toContain('Contact support');
  });
});
