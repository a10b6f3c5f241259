/**
 * The full MCP flow side by side: (A) this product's local mode and (B) an in-memory
 * authorization server built on oidc-provider (bench/oidc-baseline-main.ts), both started
 * in this run, each in a process of its own, both fronting the same demo MCP server behind
 * the same guard on the same API Gateway emulator, on one DynamoDB Local. The same SDK
 * client, the same HTTP and the same test browser run the flow against each (bench/timed-flow.ts):
 * only the authorization server and its storage differ.
 *
 * Runs alternate A B, B A, ... after a few warm-up flows each (not counted), so load from
 * other work on the machine falls on both alike.
 */
import { startDynamoDbLocal, freePort } from '../local/dynamodb-local';
import { startLocalStack } from '../test/support/local-stack-process';
import { startBaselineProcess } from './oidc-baseline-process';
import { median } from './stats';
import { FLOW_PHASES, timedFlow, type FlowPhase, type TimedFlow } from './timed-flow';

export interface FlowSideSummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly phaseMediansMs: Readonly<Record<FlowPhase, number>>;
}

export interface SideBySideResult {
  readonly localMode: FlowSideSummary;
  readonly baseline: FlowSideSummary;
  /** Median of local mode over median of the baseline. */
  readonly ratio: number;
}

export async function benchFullFlowSideBySide(runs: number, warmups: number): Promise<SideBySideResult> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  try {
    const stack = await startLocalStack({ dynamoDbEndpoint: dynamo.endpoint });
    try {
      const baseline = await startBaselineProcess(dynamo.endpoint);
      try {
        const redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
        const sides = { localMode: stack.mcpUrl, baseline: baseline.mcpUrl };
        const timings: Record<keyof typeof sides, TimedFlow[]> = { localMode: [], baseline: [] };
        for (let i = 0; i < warmups + runs; i++) {
          const order = i % 2 === 0 ? (['localMode', 'baseline'] as const) : (['baseline', 'localMode'] as const);
          for (const side of order) {
            const flow = await timedFlow(sides[side], redirectUrl, `bench client ${side} ${i}`);
            if (i >= warmups) timings[side].push(flow);
          }
        }
        const localMode = summarizeSide(timings.localMode);
        const base = summarizeSide(timings.baseline);
        return { localMode, baseline: base, ratio: localMode.medianMs / base.medianMs };
      } finally {
        await baseline.stop();
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await dynamo.stop();
  }
}

function summarizeSide(flows: readonly TimedFlow[]): FlowSideSummary {
  const totals = flows.map((f) => f.totalMs);
  return {
    runs: flows.length,
    medianMs: median(totals),
    minMs: Math.min(...totals),
    maxMs: Math.max(...totals),
    phaseMediansMs: Object.fromEntries(FLOW_PHASES.map((p) => [p, median(flows.map((f) => f.phasesMs[p]))])) as Record<FlowPhase, number>,
  };
}
