/**
 * An MCP server in your own Lambda function behind the guard (resources[].backend
 * .lambdaFunctionArn): the official SDK's stateless Streamable HTTP transport, with the
 * guard library's tool check before the SDK sees the request. API Gateway has already run
 * the guard's authorizer; this function gets the verified identity in the authorizer
 * context, never a token. Tested by test/integration/example-lambda-mcp-server.test.ts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { guardMcpRequest, type GuardAudit, type GuardIdentity, type ResourceConfig } from '../../lambda/guard';

export interface TicketServerOptions {
  /** This server's entry of the guard's configuration (its uri, routes and tool rules). */
  readonly resource: ResourceConfig;
  /** Where audit records go; on Lambda, lambdaGuardAudit('tickets-mcp'). */
  readonly audit?: GuardAudit;
}

function ticketServer(identity: GuardIdentity): McpServer {
  const server = new McpServer({ name: 'tickets', version: '1.0.0' });
  server.registerTool('list_tickets', { description: 'Your open tickets.' }, async () => ({ content: [{ type: 'text', text: JSON.stringify({ owner: identity.subject, tickets: ['T-1', 'T-2'] }) }] }));
  server.registerTool('close_ticket', { description: 'Closes a ticket (needs tool:execute).', inputSchema: { id: z.string() } }, async ({ id }) => ({ content: [{ type: 'text', text: `closed ${id} for ${identity.subject}` }] }));
  return server;
}

export function createTicketHandler(options: TicketServerOptions): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    if (event.httpMethod !== 'POST') return { statusCode: 405, headers: { Allow: 'POST' }, body: '' };
    let body: unknown;
    try {
      body = JSON.parse(event.body ?? '');
    } catch {
      return { statusCode: 400, body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }) };
    }
    // 401 without the authorizer's context, 400 HeaderMismatch, 403 insufficient_scope naming what the call needs.
    const verdict = guardMcpRequest(event, options.resource, body, { audit: options.audit });
    if (!verdict.ok) return verdict.response;

    const server = ticketServer(verdict.identity);
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
      const response = await transport.handleRequest(new Request(options.resource.uri, { method: 'POST', headers, body: JSON.stringify(body) }), { parsedBody: body });
      return { statusCode: response.status, headers: { 'Content-Type': response.headers.get('content-type') ?? 'application/json' }, body: await response.text() };
    } finally {
      await server.close();
    }
  };
}
