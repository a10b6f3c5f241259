/** docs/architecture.svg is what docs/architecture.dot renders to (npm run diagram regenerates it). */
import { readFileSync } from 'node:fs';
import { DIAGRAM_SVG, renderArchitectureDiagram } from '../../scripts/render-architecture-diagram';

describe('the architecture diagram', () => {
  it('is fresh: the committed SVG equals the rendering of its text source', async () => {
    const svg = await renderArchitectureDiagram();
    expect(svg).toContain('McpAuthorizationServer');
    expect(readFileSync(DIAGRAM_SVG, 'utf8')).toBe(svg);
  });
});
