import { join } from 'node:path';

/** The project root: lib/constructs is two levels down. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The Lambda entry files (lambda/handlers), one per deployed kind of function. */
export const HANDLER_ENTRIES = {
  authorizationServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorization-server.ts'),
  authorizer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorizer.ts'),
  protectedResourceMetadata: join(PROJECT_ROOT, 'lambda', 'handlers', 'protected-resource-metadata.ts'),
  demoMcpServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'demo-mcp-server.ts'),
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** CloudFront Functions (cloudfront-js-2.0 sources), run as they are; local mode runs the same files. */
export const EDGE_FUNCTIONS = {
  restoreWwwAuthenticate: join(PROJECT_ROOT, 'lambda', 'edge', 'restore-www-authenticate.js'),
  stampViewerIp: join(PROJECT_ROOT, 'lambda', 'edge', 'stamp-viewer-ip.js'),
} as const;
