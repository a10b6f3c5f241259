/**
 * npm run bench: (a) the authorizer's hot path against a bare RS256 verification, in
 * process; (b) the full OAuth + MCP flow side by side, local mode against an in-memory
 * oidc-provider authorization server (bench/full-flow.ts), 30 runs each. Loopback only.
 * Prints the machine it ran on, so the figures can be copied into docs/performance.md.
 * `npm run bench -- --hot-path` runs part (a) only, for quick before/after comparisons;
 * `npm run bench -- --flow` runs part (b) only; `npm run bench -- --cold-start [--baseline
 * <git ref>] [--processes <n>] [--cpu-prof <folder>]` the cold starts (bench/cold-start.ts); `npm run bench -- drill`
 * only the incident drill (bench/incident-drill.ts). `--runs N` changes the number of counted
 * flows of part (b).
 */
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { benchAuthorizerHotPath } from './authorizer-hot-path';
import { benchColdStarts, type ColdStartFunction, type ColdStartRow } from './cold-start';
import { benchFullFlowSideBySide, type FlowSideSummary } from './full-flow';
import { describeDrill, runIncidentDrill } from './incident-drill';
import type { LatencySummary } from './stats';
import { FLOW_PHASES, PHASE_LABELS } from './timed-flow';

const HOT_PATH_ITERATIONS = 20_000;
const HOT_PATH_WARMUP = 2_000;
const FULL_FLOW_RUNS = 30;
const FULL_FLOW_WARMUPS = 3;
const FLOW_RATIO_TARGET = 2.0;
const RATIO_TARGET = 1.15;

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1]!.trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return cpus()[0]?.model ?? 'unknown';
}

const row = (name: string, s: LatencySummary) => `| ${name} | ${Math.round(s.perSecond).toLocaleString('en-US')} | ${s.p50Micros.toFixed(1)} | ${s.p99Micros.toFixed(1)} |`;

const COLD_START_PROCESSES = 20;
const COLD_START_TARGETS_MS = { authorizer: 100, authorizationServer: 250 } as const;

const COLD_START_NAMES: Readonly<Record<ColdStartFunction, string>> = {
  authorizer: 'authorizer (first request: JWKS fetch, revocation BatchGetItem)',
  authorizationServer: 'authorization server, public group (first request: POST /register, one PutItem)',
};

const coldRow = ({ fn, variant, summary: s }: ColdStartRow) =>
  `| ${COLD_START_NAMES[fn]} | ${variant} | ${s.processes} | ${s.p50Ms.toFixed(1)} | ${s.p90Ms.toFixed(1)} | ${s.initP50Ms.toFixed(1)} | ${s.firstRequestP50Ms.toFixed(1)} | ${s.cpuP50Ms.toFixed(1)} | ${s.cpuP90Ms.toFixed(1)} | ${s.initCpuP50Ms.toFixed(1)} | ${s.firstRequestCpuP50Ms.toFixed(1)} | ${COLD_START_TARGETS_MS[fn]} (${s.p50Ms <= COLD_START_TARGETS_MS[fn] ? 'met' : 'NOT met'}) |`;

function optionValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function coldStarts(): Promise<void> {
  const processes = Number(optionValue('--processes') ?? COLD_START_PROCESSES);
  const baseline = optionValue('--baseline');
  console.log(`\n(c) cold starts: each production bundle in ${processes} fresh Node processes${baseline ? `, alternating with the bundles of ${baseline}` : ''}, init plus the first request (ms; CPU = user + system time of the process)`);
  const rows = await benchColdStarts({ processes, baseline, cpuProfileDir: optionValue('--cpu-prof') });
  console.log('| Function | bundle | processes | p50 | p90 | init p50 | first request p50 | CPU p50 | CPU p90 | init CPU p50 | first request CPU p50 | target p50 |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(coldRow(row));
}

function flowRuns(): number {
  const at = process.argv.indexOf('--runs');
  if (at < 0) return FULL_FLOW_RUNS;
  const runs = Number(process.argv[at + 1]);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a whole number >= 1');
  return runs;
}

const ms = (value: number) => value.toFixed(1);
const sideRow = (name: string, s: FlowSideSummary) => `| ${name} | ${s.runs} | ${ms(s.medianMs)} | ${ms(s.minMs)} | ${ms(s.maxMs)} |`;

async function fullFlow(): Promise<void> {
  const runs = flowRuns();
  console.log(`\n(b) full flow side by side (bare 401 to the first successful tool call, official SDK client), ${runs} runs each after ${FULL_FLOW_WARMUPS} warm-up runs each, alternating A B / B A`);
  const flow = await benchFullFlowSideBySide(runs, FULL_FLOW_WARMUPS);
  console.log('| Authorization server | runs | median ms | min ms | max ms |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(sideRow('A: local mode (this product, DynamoDB Local)', flow.localMode));
  console.log(sideRow('B: oidc-provider in memory (baseline)', flow.baseline));
  console.log(`ratio A / B (medians): ${flow.ratio.toFixed(2)}x (target <= ${FLOW_RATIO_TARGET}x: ${flow.ratio <= FLOW_RATIO_TARGET ? 'met' : 'NOT met'})`);
  console.log('\n| Phase (median ms) | A: local mode | B: baseline | A / B |');
  console.log('|---|---:|---:|---:|');
  for (const phase of FLOW_PHASES) {
    const a = flow.localMode.phaseMediansMs[phase];
    const b = flow.baseline.phaseMediansMs[phase];
    console.log(`| ${PHASE_LABELS[phase]} | ${ms(a)} | ${ms(b)} | ${b > 0 ? `${(a / b).toFixed(2)}x` : '-'} |`);
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} CPUs (nproc), ${cpuModel()}, Node ${process.version}, ${process.platform}/${process.arch}`);
  if (process.argv.includes('--cold-start')) return coldStarts();
  if (process.argv.includes('--flow')) return fullFlow();
  if (process.argv.includes('drill')) {
    console.log('\nincident drill: revoke --user and revoke --client against local mode with the shipped defaults');
    for (const line of describeDrill(await runIncidentDrill())) console.log(line);
    return;
  }

  console.log(`\n(a) authorizer hot path, ${HOT_PATH_ITERATIONS} calls after ${HOT_PATH_WARMUP} warm-up calls each, the paths alternating in rounds`);
  const hot = await benchAuthorizerHotPath(HOT_PATH_ITERATIONS, HOT_PATH_WARMUP);
  console.log('| Path | validations/s | p50 µs | p99 µs |');
  console.log('|---|---:|---:|---:|');
  console.log(row('authorizer handler (warm, JWKS cached, revocation cache hit; the same token each call)', hot.authorizer));
  console.log(row(`authorizer handler, a token it has not read yet each call (${hot.firstSightTokens} tokens in turn)`, hot.authorizerFirstSight));
  console.log(row('aws-jwt-verify verify() alone (JWKS cached)', hot.libraryVerify));
  console.log(row('aws-jwt-verify verifySync() alone (JWKS cached)', hot.librarySyncVerify));
  console.log(row('aws-jwt-verify on the token the authorizer decoded (its share of the hot path)', hot.libraryDecodedVerify));
  console.log(row('bare crypto.verify RS256 of the same token', hot.bareVerify));
  console.log(`ratio authorizer / bare verify (p50): ${hot.ratio.toFixed(2)}x (target <= ${RATIO_TARGET}x: ${hot.ratio <= RATIO_TARGET ? 'met' : 'NOT met'})`);
  console.log(`ratio for a token not read yet / bare verify (p50): ${hot.firstSightRatio.toFixed(2)}x`);
  console.log(
    `JWKS fetches: ${hot.jwksFetches} (one per authorizer: 2), revocation store reads: ${hot.revocationStoreCalls} for the same token (must be 1) and ${hot.firstSightRevocationStoreCalls} for ${hot.firstSightTokens} tokens (one each): everything else came from cache`,
  );
  if (process.argv.includes('--hot-path')) return;

  await fullFlow();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
