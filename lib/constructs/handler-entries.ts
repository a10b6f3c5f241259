import { join } from 'node:path';

/** The project root: lib/constructs is two levels down. */
export const PROJECT_ROOT = join(__dirname, '..', '..');

/** The Lambda entry files (lambda/handlers), one per deployed kind of function. */
export const HANDLER_ENTRIES = {
  authorizationServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorization-server.ts'),
  authorizer: join(PROJECT_ROOT, 'lambda', 'handlers', 'authorizer.ts'),
  protectedResourceMetadata: join(PROJECT_ROOT, 'lambda', 'handlers', 'protected-resource-metadata.ts'),
  demoMcpServer: join(PROJECT_ROOT, 'lambda', 'handlers', 'demo-mcp-server.ts'),
  mcpStep: join(PROJECT_ROOT, 'lambda', 'handlers', 'mcp-step.ts'),
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRIES;

/** The edge's functions, deployed as they are: the viewer-request CloudFront Function (cloudfront-js-2.0) and the origin-response Lambda@Edge function. */
export const EDGE_FUNCTIONS = {
  stampViewerIp: join(PROJECT_ROOT, 'lambda', 'edge', 'stamp-viewer-ip.js'),
  restoreChallenge: join(PROJECT_ROOT, 'lambda', 'edge', 'restore-challenge.js'),
} as const;
