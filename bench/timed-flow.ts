/**
 * One full MCP flow with the official SDK client (1.x), timed by phase: from nothing but
 * the MCP URL to the first successful tool call, the way test/support/mcp-sdk-session.ts
 * connects (the SDK's own 401 handling, discovery, DCR, PKCE and token request; the test
 * browser plays the user and answers instantly). Every request the SDK makes starts a phase
 * by what it is; the authorization phase starts when the SDK sends the user to the
 * authorization URL and covers login and consent. Each phase lasts until the next one
 * starts, so the phases add up to the total.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { ALICE, BrowserOAuthProvider, whoami } from '../test/support/mcp-sdk-session';

export const FLOW_PHASES = ['challenge', 'metadata', 'registration', 'authorize', 'token', 'toolCall'] as const;
export type FlowPhase = (typeof FLOW_PHASES)[number];

export const PHASE_LABELS: Readonly<Record<FlowPhase, string>> = {
  challenge: 'challenge (bare 401)',
  metadata: 'metadata (PRM + AS)',
  registration: 'registration (DCR)',
  authorize: 'authorize (incl. login and consent)',
  token: 'token (code exchange)',
  toolCall: 'first tool call (initialize + tools/call)',
};

export interface TimedFlow {
  readonly totalMs: number;
  readonly phasesMs: Readonly<Record<FlowPhase, number>>;
}

class PhaseClock {
  private readonly marks: { phase: FlowPhase; at: bigint }[] = [];
  private readonly start = process.hrtime.bigint();

  mark(phase: FlowPhase): void {
    this.marks.push({ phase, at: process.hrtime.bigint() });
  }

  finish(): TimedFlow {
    const end = process.hrtime.bigint();
    const phasesMs = Object.fromEntries(FLOW_PHASES.map((p) => [p, 0])) as Record<FlowPhase, number>;
    this.marks.forEach((m, i) => {
      phasesMs[m.phase] += Number((this.marks[i + 1]?.at ?? end) - m.at) / 1e6;
    });
    // Before the first request: the SDK's own set-up, counted with the challenge.
    if (this.marks[0]) phasesMs.challenge += Number(this.marks[0].at - this.start) / 1e6;
    return { totalMs: Number(end - this.start) / 1e6, phasesMs };
  }
}

class TimedBrowserProvider extends BrowserOAuthProvider {
  constructor(
    private readonly clock: PhaseClock,
    options: ConstructorParameters<typeof BrowserOAuthProvider>[0],
  ) {
    super(options);
  }

  override async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.clock.mark('authorize');
    return super.redirectToAuthorization(authorizationUrl);
  }
}

function phaseOf(mcpUrl: string, input: string | URL | Request, init?: RequestInit): FlowPhase {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.pathname.startsWith('/.well-known/')) return 'metadata';
  if (url.origin + url.pathname === mcpUrl) return new Headers(init?.headers).has('authorization') ? 'toolCall' : 'challenge';
  if (init?.body instanceof URLSearchParams || (typeof init?.body === 'string' && init.body.includes('grant_type='))) return 'token';
  return 'registration';
}

/** The SDK client's whole way from the MCP URL to whoami answering; throws unless whoami saw tool:execute. */
export async function timedFlow(mcpUrl: string, redirectUrl: string, clientName: string): Promise<TimedFlow> {
  const clock = new PhaseClock();
  const provider = new TimedBrowserProvider(clock, { user: ALICE, redirectUrl, clientName });
  const timedFetch: typeof fetch = (input, init) => {
    clock.mark(phaseOf(mcpUrl, input, init));
    return fetch(input, init);
  };
  const open = async () => {
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: timedFetch });
    const client = new Client({ name: 'mcp-oauth-bench', version: '1.0.0' });
    await client.connect(transport);
    return client;
  };
  let client: Client | undefined;
  try {
    client = await open();
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
  if (!client) {
    await new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: timedFetch }).finishAuth(provider.takeCode());
    client = await open();
  }
  try {
    const me = await whoami({ client, transport: client.transport as StreamableHTTPClientTransport, close: () => client.close() });
    const timed = clock.finish();
    if (!me.scopes.includes('tool:execute')) throw new Error(`whoami answered without tool:execute: ${JSON.stringify(me)}`);
    return timed;
  } finally {
    await client.close();
  }
}
