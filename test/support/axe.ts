/**
 * axe-core, run inside the page under test. Its source is evaluated through the DevTools
 * protocol, which the page's CSP does not govern: the pages run no script of their own and
 * their policy would (rightly) refuse an injected <script>.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.1 level A and AA, as axe tags them. */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] as const;

/** axe's best-practice rules about structure that WCAG's tags leave out: landmarks and headings. */
export const STRUCTURE_RULES = ['landmark-one-main', 'landmark-unique', 'landmark-no-duplicate-banner', 'landmark-no-duplicate-contentinfo', 'region', 'page-has-heading-one', 'heading-order'] as const;

export interface Violation {
  readonly id: string;
  readonly impact: string | null | undefined;
  readonly help: string;
  readonly nodes: readonly string[];
}

/** Every violation on the page: the WCAG 2.1 AA rules and the structure rules above. Empty is a pass. */
export async function accessibilityViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async ({ tags, rules }) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> } }).axe;
    const run = (options: object) => axe.run(document, { resultTypes: ['violations'], ...options });
    const [wcag, structure] = [await run({ runOnly: { type: 'tag', values: tags } }), await run({ runOnly: { type: 'rule', values: rules } })];
    return [...wcag.violations, ...structure.violations].map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`),
    }));
  }, { tags: [...WCAG_21_AA], rules: [...STRUCTURE_RULES] });
}
