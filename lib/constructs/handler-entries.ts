import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The project root: lib/constructs is two levels down (in the package, dist/ is that root). */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/**
 * The package ships each handler bundled in advance (scripts/build.ts writes
 * <package>/dist/bundles/<handler>/index.js when it is packed), so that a platform team's
 * `cdk synth` needs neither these sources nor esbuild nor Docker. Run from this repository's
 * sources there are none, and the functions are bundled at synth instead.
 */
export const PREBUILT_BUNDLES_DIR = join(PROJECT_ROOT, 'bundles');

/** The file each bundle's code is in; its `handler` export is the Lambda handler (`index.handler`). */
export const BUNDLE_FILE = 'index.js';

/** The Lambda entry files (lambda/handlers), one per deployed kind of function. */
export const HANDLER_ENTRIES = {
  authorizationServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorization-server.ts'),
  authorizer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorizer.ts'),
  protectedResourceMetadata: join(PROJECT_ROOT, 'lambda', 'handlers', 'protected-resource-metadata.ts'),
  demoMcpServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'demo-mcp-server.ts'),
  mcpStep: join(PROJECT_ROOT, 'lambda', 'handlers', 'mcp-step.ts'),
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** The prebuilt bundle folder of a handler entry of HANDLER_ENTRIES, when the package ships one; undefined for any other entry. */
export function prebuiltBundleOf(entry: string): string | undefined {
  const name = (Object.keys(HANDLER_ENTRIES) as HandlerName[]).find((n) => HANDLER_ENTRIES[n] === entry);
  if (!name) return undefined;
  const dir = join(PREBUILT_BUNDLES_DIR, name);
  return existsSync(join(dir, BUNDLE_FILE)) ? dir : undefined;
}

/** The edge's functions, deployed as they are: the viewer-request CloudFront Function (cloudfront-js-2.0) and the origin-response Lambda@Edge function. */
export const EDGE_FUNCTIONS = {
  stampViewerIp: join(PROJECT_ROOT, 'lambda', 'edge', 'stamp-viewer-ip.js'),
  restoreChallenge: join(PROJECT_ROOT, 'lambda', 'edge', 'restore-challenge.js'),
} as const;
