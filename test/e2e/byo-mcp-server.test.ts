/**
 * Bring your own MCP server (docs/guard.md, "Protect your MCP server"): an MCP server built
 * with the official SDK, run as a separate process on a free loopback port, put behind the
 * guard by one config entry (`backend.httpUrl` with a shared secret), reached by the SDK
 * clients (1.x and v2) from the bare MCP URL through the real local stack (authorization
 * server, dev IdP, API Gateway emulator, the MCP step streaming its answers).
 */
import * as v2 from '@modelcontextprotocol/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { BOB, BrowserOAuthProvider, connectWithOAuth, recordingFetch, type RecordedExchange } from '../support/mcp-sdk-session';

const REPO_ROOT = join(__dirname, '../..');
const SECRET = 'byo-shared-secret-0123456789abcdef';
/** The fixture's pause between progress messages. */
const STEP_MS = 400;

interface BackendRequest {
  readonly method: string;
  readonly path: string;
  readonly rpcId?: unknown;
  readonly guard: Record<string, string | string[]>;
  readonly authorization: boolean;
}

let backend: ChildProcess;
let backendUrl: string;
let backendOutput = '';
let stack: LocalStack;
let redirectUrl: string;
let resourceMetadataUrl: string;

const backendRequests = (): BackendRequest[] => backendOutput.split('\n').filter((l) => l.startsWith('request ')).map((l) => JSON.parse(l.slice('request '.length)));

function startBackend(): Promise<string> {
  backend = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['test/e2e/fixtures/sdk-http-mcp-server.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BACKEND_SECRET: SECRET } });
  backend.stdout!.on('data', (chunk: Buffer) => (backendOutput += chunk.toString()));
  backend.stderr!.on('data', (chunk: Buffer) => (backendOutput += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the SDK server did not start:\n${backendOutput}`)), 30_000);
    const check = () => {
      const port = /listening (\d+)/.exec(backendOutput)?.[1];
      if (!port) return;
      clearTimeout(timer);
      backend.stdout!.off('data', check);
      resolve(`http://127.0.0.1:${port}/mcp`);
    };
    backend.stdout!.on('data', check);
    backend.once('exit', () => reject(new Error(`the SDK server exited:\n${backendOutput}`)));
  });
}

beforeAll(async () => {
  backendUrl = await startBackend();
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  stack = await startLocalStack({
    configOverrides: (config) => {
      const resource = config.resources[0];
      resource.name = 'Your own MCP server';
      resource.backend = { httpUrl: backendUrl, sharedSecret: { value: SECRET } };
      resource.tools = [{ name: 'run_job', scopes: ['tool:execute'] }];
    },
  });
  resourceMetadataUrl = `${new URL(stack.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (backend && backend.exitCode === null) {
    const exited = new Promise((resolve) => backend.once('exit', resolve));
    backend.kill('SIGTERM');
    await exited;
  }
});

const toolCalls = (exchanges: readonly RecordedExchange[], tool: string) => exchanges.filter((e) => e.method === 'POST' && e.requestBody?.includes('"tools/call"') && e.requestBody.includes(`"name":"${tool}"`));

/** bob's access token (tool:read), from a real login through the SDK 1.x client. */
async function bobToken(): Promise<string> {
  const provider = new BrowserOAuthProvider({ user: BOB, redirectUrl });
  const session = await connectWithOAuth(stack.mcpUrl, provider);
  await session.close();
  return provider.tokens()!.access_token;
}

async function post(token: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(stack.mcpUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** The JSON-RPC messages of an SSE (or JSON) answer. */
async function messagesOf(response: Response): Promise<any[]> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  }
  return [JSON.parse(text)];
}

const call = (name: string, id = 1, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });

describe('an SDK MCP server behind the guard through backend.httpUrl', () => {
  it('bob (tool:read) with the SDK 1.x client from the bare MCP URL: lists tools, calls a route-scope tool, gets 403 insufficient_scope on run_job with and without Mcp-Name', async () => {
    const challenges: (string | null)[] = [];
    for (const requestMetadata of [false, true]) {
      const exchanges: RecordedExchange[] = [];
      const session = await connectWithOAuth(stack.mcpUrl, new BrowserOAuthProvider({ user: BOB, redirectUrl }), exchanges, { requestMetadata });
      try {
        expect((await session.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['list_files', 'progress_report', 'run_job', 'who_is_calling']);
        expect((await session.client.callTool({ name: 'list_files', arguments: {} })).content).toEqual([{ type: 'text', text: '["a.txt","b.txt"]' }]);
        await expect(session.client.callTool({ name: 'run_job', arguments: { name: 'nightly' } })).rejects.toThrow(/403|Insufficient scope|insufficient_scope/);
      } finally {
        await session.close();
      }
      const denied = toolCalls(exchanges, 'run_job')[0]!;
      expect(denied.requestHeaders.get('mcp-name')).toBe(requestMetadata ? 'run_job' : null);
      expect(denied.status).toBe(403);
      expect(denied.responseHeaders.get('x-amzn-remapped-www-authenticate')).toBeNull();
      challenges.push(denied.responseHeaders.get('www-authenticate'));
    }
    expect(challenges[0]).toBe(`Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="${resourceMetadataUrl}"`);
    expect(challenges[1]).toBe(challenges[0]);
    // The refused call never reached the backend.
    expect(backendRequests().some((r) => r.method === 'POST' && JSON.stringify(r).includes('run_job'))).toBe(false);
  });

  it('with the SDK v2 client: the backend receives the verified identity as X-MCP-OAuth-* headers', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: BOB, redirectUrl, clientName: 'BYO v2 client' });
    const transportOptions = { authProvider: provider as unknown as v2.OAuthClientProvider, fetch: recordingFetch(exchanges) };
    const open = async () => {
      const client = new v2.Client({ name: 'byo-e2e-v2', version: '1.0.0' });
      await client.connect(new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions));
      return client;
    };
    await expect(open()).rejects.toBeInstanceOf(v2.UnauthorizedError);
    await new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions).finishAuth(provider.takeCallback());
    const client = await open();
    try {
      const result = await client.callTool({ name: 'who_is_calling', arguments: {} });
      const seen = JSON.parse((result.content as { text: string }[])[0]!.text);
      expect(seen).toEqual({ sub: expect.stringMatching(/bob/), client_id: provider.clientInformation()!.client_id, scope: 'tool:read' });
    } finally {
      await client.close();
    }
  });

  it('a header that names one tool while the body calls another is 400 HeaderMismatch, and never reaches the backend', async () => {
    const token = await bobToken();
    const response = await post(token, call('list_files', 4242), { 'Mcp-Method': 'tools/call', 'Mcp-Name': 'who_is_calling' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32020);
    expect(backendRequests().filter((r) => r.rpcId === 4242)).toEqual([]);
  });

  it('identity headers a client sends never reach the backend: only the ones the guard wrote, and never the Authorization header', async () => {
    const token = await bobToken();
    const response = await post(token, call('who_is_calling', 4343), {
      'X-MCP-OAuth-Sub': 'admin',
      'x-mcp-oauth-scope': 'tool:read tool:execute admin',
      'X-Mcp-OAuth-Client-Id': 'forged-client',
      'X-MCP-OAuth-Secret': 'forged-secret',
      'X-MCP-OAuth-Extra': 'anything',
    });
    expect(response.status).toBe(200);
    const [answer] = (await messagesOf(response)).filter((m) => m.id === 4343);
    expect(JSON.parse(answer.result.content[0].text)).toMatchObject({ sub: expect.stringMatching(/bob/), scope: 'tool:read' });
    const received = backendRequests().filter((r) => r.rpcId === 4343);
    expect(received).toHaveLength(1);
    expect(Object.keys(received[0]!.guard).sort()).toEqual(['x-mcp-oauth-client-id', 'x-mcp-oauth-scope', 'x-mcp-oauth-secret', 'x-mcp-oauth-sub']);
    expect(received[0]!.guard['x-mcp-oauth-secret']).toBe(SECRET);
    expect(JSON.stringify(received[0]!.guard)).not.toMatch(/admin|forged|anything/);
    expect(backendRequests().every((r) => !r.authorization)).toBe(true);
  });

  it('streams an SSE answer through as it is produced: the first progress message arrives well before the result', async () => {
    const token = await bobToken();
    const response = await post(token, call('progress_report', 7));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const arrivals: { at: number; text: string }[] = [];
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ at: performance.now(), text: decoder.decode(value) });
    }
    const firstStep = arrivals.find((a) => a.text.includes('step 1'));
    const result = arrivals.find((a) => a.text.includes('"id":7') && a.text.includes('done'));
    expect(firstStep).toBeDefined();
    expect(result).toBeDefined();
    expect(arrivals.indexOf(firstStep!)).toBeLessThan(arrivals.indexOf(result!));
    // Three pauses of STEP_MS separate the first message from the result at the server: a buffered answer would bring both at once.
    expect(result!.at - firstStep!.at).toBeGreaterThan(2 * STEP_MS);
  });

  it('the backend refuses a request that did not pass the guard (no shared secret)', async () => {
    const response = await fetch(backendUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-MCP-OAuth-Sub': 'admin' }, body: JSON.stringify(call('who_is_calling')) });
    expect(response.status).toBe(401);
  });
});
