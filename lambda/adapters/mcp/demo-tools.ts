/**
 * The demo MCP server's tools: whoami and echo (tool:execute) and admin_stats (admin), and,
 * when the resource has a downstream API and the server a token exchanger, downstream_whoami
 * (what the downstream API sees of an exchanged token; its scopes: the tool rule). The
 * scope checks happen before the SDK dispatches (tool-scope-guard.ts); the handlers check
 * again from the identity they are given, so a tool registered here without a rule in the
 * configuration still cannot run for a token that lacks its scopes.
 *
 * tools/list is not filtered by scope: a client learns that admin_stats exists, calls it,
 * and receives the insufficient_scope challenge that tells it which scope to ask for (MCP
 * step-up authorization). Hiding tools would leave it nothing to step up to.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ResourceConfig } from '../../core/config';
import { missingScopes } from '../../core/scopes';
import { toolScopes } from '../../core/guard/mcp-request-rules';
import type { GuardIdentity } from './tool-scope-guard';

/** Counters of this Lambda container (or local process); what admin_stats reports. */
export interface DemoStats {
  readonly startedAtMs: number;
  toolCalls: number;
}

export function createDemoStats(nowMs: number): DemoStats {
  return { startedAtMs: nowMs, toolCalls: 0 };
}

/** Calls the resource's first downstream API with an exchanged token; its answer as is. */
export type DownstreamCaller = () => Promise<{ readonly status: number; readonly body: string }>;

export function createDemoMcpServer(resource: ResourceConfig, identity: GuardIdentity, stats: DemoStats, nowMs: () => number, callDownstream?: DownstreamCaller): McpServer {
  const server = new McpServer({ name: 'mcp-oauth-aws-demo', version: '0.1.0' });
  const describe = (what: string, tool: string) => `${what} Needs scope: ${[...toolScopes(resource, tool)].join(' ') || '(none beyond the route)'}.`;
  const refuseUnlessGranted = (tool: string) => {
    const missing = missingScopes(toolScopes(resource, tool), identity.scopes);
    if (missing.length) throw new Error(`insufficient_scope: ${tool} needs ${missing.join(' ')}`);
    stats.toolCalls++;
  };
  const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: typeof value === 'string' ? value : JSON.stringify(value) }] });

  server.registerTool(
    'whoami',
    { description: describe('Who the access token speaks for: subject, client and scopes (never the token).', 'whoami') },
    async () => {
      refuseUnlessGranted('whoami');
      return text({ sub: identity.subject, client_id: identity.clientId, scopes: identity.scopes });
    },
  );
  server.registerTool(
    'echo',
    { description: describe('Returns the text it is given.', 'echo'), inputSchema: { text: z.string().max(10_000) } },
    async ({ text: input }) => {
      refuseUnlessGranted('echo');
      return text(input);
    },
  );
  server.registerTool(
    'admin_stats',
    { description: describe('Statistics of this server instance.', 'admin_stats') },
    async () => {
      refuseUnlessGranted('admin_stats');
      return text({ uptime_seconds: Math.floor((nowMs() - stats.startedAtMs) / 1000), tool_calls: stats.toolCalls, tools: resource.tools.map((t) => t.name) });
    },
  );
  if (callDownstream) {
    server.registerTool(
      'downstream_whoami',
      { description: describe('Calls the downstream API with a token exchanged for this one (RFC 8693, never passed on) and returns what it answers.', 'downstream_whoami') },
      async () => {
        refuseUnlessGranted('downstream_whoami');
        const answer = await callDownstream();
        return text({ status: answer.status, body: answer.body });
      },
    );
  }
  return server;
}
