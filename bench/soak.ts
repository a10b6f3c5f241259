/**
 * The soak: local mode under many users and clients for a while, started by this script on
 * free loopback ports (never the 8787/8788 of `npm start`) and a DynamoDB Local of its own
 * (files in a temporary folder), with the WAF rate limits and stage throttling raised by
 * bench/soak.config.json (local.rateLimits, local.stageThrottling: docs/local-mode.md).
 *
 *   npm run soak -- --minutes 10 [--workers 8] [--think-ms 20] [--report-seconds 60] [--memory-probe]
 *   npm run soak -- --seconds 20          (a quick run: the test that keeps this script alive)
 *
 * Bounded concurrency: `--workers` workers (default 8, alice and bob in turn), each doing
 * authorizations, MCP tool calls, refreshes and revocations (bench/soak-worker.ts). Every
 * report interval it prints the requests, 4xx and 5xx counts, p50/p99 per endpoint and the
 * RSS of each process (the local stack's node process, which also runs the dev IdP, its tsx
 * launcher, and DynamoDB Local's JVM). At the end it prints PASS or FAIL for each criterion
 * and exits 1 on any FAIL: zero 5xx, zero refresh families lost or forked, no other
 * unexpected answer, and RSS flat after warm-up (under 5% growth from the end of the first
 * interval to the end). Not part of CI. Loopback only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, startDynamoDbLocal } from '../local/dynamodb-local';
import { startLocalStack } from '../test/support/local-stack-process';
import { ALICE, BOB } from '../test/support/mcp-sdk-session';
import { findProcesses, residentKb, type WatchedProcess } from './process-rss';
import { endpointLines, rssVerdict, RSS_GROWTH_LIMIT, SoakRecorder } from './soak-stats';
import { runSoakWorker, type SoakTarget } from './soak-worker';

interface SoakOptions {
  readonly durationMs: number;
  readonly workers: number;
  readonly thinkMs: number;
  readonly reportMs: number;
  /** Preload bench/soak-memory-probe.mjs into the stack and print its heap figures each interval. */
  readonly memoryProbe: boolean;
}

function parseOptions(): SoakOptions {
  const { values } = parseArgs({ options: { minutes: { type: 'string' }, seconds: { type: 'string' }, workers: { type: 'string', default: '8' }, 'think-ms': { type: 'string', default: '20' }, 'report-seconds': { type: 'string', default: '60' }, 'memory-probe': { type: 'boolean', default: false } } });
  const number = (name: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}`);
    return n;
  };
  if ((values.minutes === undefined) === (values.seconds === undefined)) throw new Error('usage: npm run soak -- --minutes N | --seconds N [--workers 8] [--think-ms 20] [--report-seconds 60] [--memory-probe]');
  const durationMs = values.minutes !== undefined ? number('minutes', values.minutes, 0.1) * 60_000 : number('seconds', values.seconds, 1) * 1000;
  return { durationMs, workers: Math.floor(number('workers', values.workers, 1)), thinkMs: number('think-ms', values['think-ms'], 0), reportMs: number('report-seconds', values['report-seconds'], 1) * 1000, memoryProbe: values['memory-probe'] === true };
}

async function main(): Promise<number> {
  const options = parseOptions();
  const soakConfig = JSON.parse(readFileSync(join(__dirname, 'soak.config.json'), 'utf8')) as { local: Record<string, unknown> };
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-soak-'));
  const dynamo = await startDynamoDbLocal({ port: 0, dataDir });
  const probeFile = join(dataDir, 'memory-probe.jsonl');
  if (options.memoryProbe) {
    // The stack inherits this environment (DynamoDB Local, started before, does not).
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${join(__dirname, 'soak-memory-probe.mjs')}`.trim();
    process.env.SOAK_MEMORY_PROBE_FILE = probeFile;
    // At least four samples in the run: a run shorter than one period would report only the
    // probe's first sample, taken as the stack's process started, before it loaded anything.
    process.env.SOAK_MEMORY_PROBE_MS = String(Math.max(1_000, Math.min(10_000, options.reportMs, Math.floor(options.durationMs / 4))));
  }
  try {
    const stack = await startLocalStack({ dynamoDbEndpoint: dynamo.endpoint, configOverrides: (config) => Object.assign(config.local, soakConfig.local) });
    try {
      return await soak(options, stack, dynamo.port, options.memoryProbe ? probeFile : undefined);
    } finally {
      await stack.stop();
    }
  } finally {
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function soak(options: SoakOptions, stack: Awaited<ReturnType<typeof startLocalStack>>, dynamoPort: number, probeFile: string | undefined): Promise<number> {
  const watched = watchedProcesses(stack.tablePrefix, dynamoPort);
  const target: SoakTarget = { issuer: stack.issuer, mcpUrl: stack.mcpUrl, devIdp: stack.devIdp, redirectUri: `http://127.0.0.1:${await freePort()}/callback` };
  console.log(`soak: ${options.workers} workers for ${(options.durationMs / 1000).toFixed(0)} s against local mode at ${stack.issuer} (MCP ${stack.mcpUrl}), think time ${options.thinkMs} ms, report every ${options.reportMs / 1000} s`);
  console.log(`processes: ${watched.map((p) => `${p.label} pid ${p.pid}`).join(', ')}`);
  console.log(`RSS at start: ${rssLine(watched)}`);

  const recorder = new SoakRecorder();
  const started = Date.now();
  const deadline = started + options.durationMs;
  const rssSamples: Map<string, number>[] = [];
  let interval = 0;
  let lastReportAt = started;
  const report = () => {
    interval++;
    const counts = recorder.takeInterval();
    const sample = new Map(watched.map((p) => [p.label, residentKb(p.pid) ?? 0]));
    // A tail shorter than half an interval (the workers finishing their last flows) is not a sample of the trend.
    if (Date.now() - lastReportAt >= options.reportMs / 2) rssSamples.push(sample);
    lastReportAt = Date.now();
    console.log(`\n[${((Date.now() - started) / 1000).toFixed(0)} s] interval ${interval}: ${counts.requests} requests, ${counts.clientErrors} 4xx, ${counts.serverErrors} 5xx; families started ${recorder.families.started}, completed ${recorder.families.completed}`);
    for (const line of endpointLines(counts)) console.log(line);
    console.log(`  RSS: ${[...sample].map(([label, kb]) => `${label} ${(kb / 1024).toFixed(1)} MB`).join(', ')}`);
    if (probeFile) console.log(`  memory probe: ${probeLine(probeFile, watched)}`);
  };
  const timer = setInterval(report, options.reportMs);
  const workers = Array.from({ length: options.workers }, (_, i) =>
    runSoakWorker({ target, user: i % 2 === 0 ? ALICE : BOB, canExecuteTools: i % 2 === 0, recorder, deadline, thinkMs: options.thinkMs, name: `worker ${i + 1} (${i % 2 === 0 ? 'alice' : 'bob'})` }),
  );
  await Promise.all(workers);
  clearInterval(timer);
  report(); // the last, partial interval

  const code = verdicts(recorder, rssSamples);
  // What went wrong, as the stack logged it (its error lines name the failure, never a token).
  if (recorder.total.serverErrors > 0 || recorder.unexpected.length > 0) {
    for (const line of stack.output().split('\n').filter((l) => l.startsWith('error: ')).slice(0, 20)) console.log(`  stack logged: ${line}`);
  }
  return code;
}

function verdicts(recorder: SoakRecorder, rssSamples: readonly Map<string, number>[]): number {
  const { total, families } = recorder;
  console.log(`\ntotal: ${total.requests} requests, ${total.clientErrors} 4xx, ${total.serverErrors} 5xx`);
  for (const line of endpointLines(total)) console.log(line);
  console.log(`families: ${families.started} started, ${families.completed} completed; refreshes that had to succeed ${families.refreshesExpectedToSucceed} (lost ${families.lost}), that had to fail ${families.refreshesExpectedToFail} (accepted ${families.forked})`);
  for (const line of recorder.unexpected.slice(0, 20)) console.log(`  unexpected: ${line}`);

  const rss = rssVerdict(rssSamples);
  const growth = [...rss.growth].map(([label, g]) => `${label} ${(g * 100).toFixed(1)}%`).join(', ');
  const results: [string, boolean | undefined][] = [
    [`zero 5xx (${total.serverErrors})`, total.serverErrors === 0],
    [`zero refresh families lost or forked (lost ${families.lost}, forked ${families.forked}, of ${families.started})`, families.lost === 0 && families.forked === 0 && families.started > 0],
    [`no other unexpected answer (${recorder.unexpected.length - families.lost - families.forked})`, recorder.unexpected.length === families.lost + families.forked],
    [rss.judged ? `RSS flat after warm-up, growth under ${RSS_GROWTH_LIMIT * 100}% from the end of interval 1 to the end (${growth})` : 'RSS flat after warm-up: not judged (fewer than 2 intervals)', rss.judged ? rss.pass : undefined],
  ];
  console.log('');
  for (const [what, pass] of results) console.log(`${pass === undefined ? 'SKIP' : pass ? 'PASS' : 'FAIL'} ${what}`);
  return results.some(([, pass]) => pass === false) ? 1 : 0;
}

function watchedProcesses(tablePrefix: string, dynamoPort: number): WatchedProcess[] {
  const stack = findProcesses(['--table-prefix', tablePrefix]).map((p) => ({ pid: p.pid, label: p.commandLine.includes('loader.mjs') ? 'local stack (node: AS, dev IdP, MCP API)' : 'tsx launcher' }));
  const jvm = findProcesses(['DynamoDBLocal.jar', `-port ${dynamoPort}`]).map((p) => ({ pid: p.pid, label: 'DynamoDB Local (JVM)' }));
  // Labels name the RSS columns: make them unique.
  return [...stack, ...jvm].map((p, i, all) => (all.filter((q) => q.label === p.label).length > 1 ? { ...p, label: `${p.label} #${i + 1}` } : p));
}

/**
 * The newest memory probe sample of each watched node process, in MB: its heap's committed
 * spaces, the heap left after the newest full collection in any sample so far (not every
 * sample has one), and the collections' main-thread time since the process started.
 */
function probeLine(probeFile: string, watched: readonly WatchedProcess[]): string {
  if (!existsSync(probeFile)) return 'no sample yet';
  interface ProbeSample { pid: number; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; afterFullGc?: number; fullCollections: number; gcMs: number; longestGcMs: number; spaces: Record<string, number> }
  const latest = new Map<number, { sample: ProbeSample; kept?: number; fullCollections: number; gcMs: number; longestGcMs: number }>();
  for (const line of readFileSync(probeFile, 'utf8').split('\n')) {
    if (!line) continue;
    const sample = JSON.parse(line) as ProbeSample;
    const before = latest.get(sample.pid);
    latest.set(sample.pid, {
      sample,
      kept: sample.afterFullGc ?? before?.kept,
      fullCollections: (before?.fullCollections ?? 0) + sample.fullCollections,
      gcMs: (before?.gcMs ?? 0) + sample.gcMs,
      longestGcMs: Math.max(before?.longestGcMs ?? 0, sample.longestGcMs),
    });
  }
  const mb = (bytes: number | undefined) => ((bytes ?? 0) / 1024 / 1024).toFixed(1);
  return watched.filter((p) => latest.has(p.pid)).map((p) => {
    const { sample: u, kept, fullCollections, gcMs, longestGcMs } = latest.get(p.pid)!;
    const spaces = `new ${mb(u.spaces.new_space)} + old ${mb(u.spaces.old_space)} + code ${mb(u.spaces.code_space)} + large objects ${mb((u.spaces.large_object_space ?? 0) + (u.spaces.new_large_object_space ?? 0) + (u.spaces.code_large_object_space ?? 0))}`;
    const keptText = kept === undefined ? 'no full GC yet' : `heap after the last full GC ${mb(kept)}`;
    return `${p.label}: rss ${mb(u.rss)}, heapTotal ${mb(u.heapTotal)} (${spaces}), heapUsed ${mb(u.heapUsed)}, ${keptText}, external ${mb(u.external)}, arrayBuffers ${mb(u.arrayBuffers)}; GC so far ${(gcMs / 1000).toFixed(1)} s in all, ${fullCollections} full, longest pause ${longestGcMs.toFixed(0)} ms`;
  }).join('; ');
}

function rssLine(watched: readonly WatchedProcess[]): string {
  return watched.map((p) => `${p.label} ${((residentKb(p.pid) ?? 0) / 1024).toFixed(1)} MB`).join(', ');
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
