/**
 * Full flow latency in local mode: from nothing but the MCP URL to the first successful
 * tool call with the official SDK client (401, RFC 9728 and 8414 discovery, DCR, login and
 * consent through the test browser, which answers instantly, code exchange, initialize,
 * tools/call). One stack, started once, on a DynamoDB Local of its own.
 */
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { freePort } from '../local/dynamodb-local';
import { startLocalStack } from '../test/support/local-stack-process';
import { ALICE, BrowserOAuthProvider, connectWithOAuth, whoami } from '../test/support/mcp-sdk-session';
import { median } from './stats';

export interface FullFlowResult {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export async function benchFullFlow(runs: number): Promise<FullFlowResult> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  // The stack harness reads the endpoint the way Jest's global setup hands it over.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  try {
    // The shipped challenge scope (tool:read tool:execute) is what SDK clients ask for, so whoami is the first call that works.
    const stack = await startLocalStack();
    try {
      const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
      const durations: number[] = [];
      for (let i = 0; i < runs; i++) {
        const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl, clientName: `bench client ${i}` });
        const start = process.hrtime.bigint();
        const session = await connectWithOAuth(stack.mcpUrl, provider);
        const me = await whoami(session);
        durations.push(Number(process.hrtime.bigint() - start) / 1e6);
        await session.close();
        if (!me.scopes.includes('tool:execute')) throw new Error(`whoami answered without tool:execute: ${JSON.stringify(me)}`);
      }
      return { runs, medianMs: median(durations), minMs: Math.min(...durations), maxMs: Math.max(...durations) };
    } finally {
      await stack.stop();
    }
  } finally {
    await dynamo.stop();
  }
}
