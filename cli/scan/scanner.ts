/**
 * Runs the probe groups in order against one MCP URL and returns the report. Each probe
 * decides one finding; opt-in probes whose mode is off are reported as skipped, so every
 * report lists every finding id. Whatever secret the scan holds (the tokens, a code) is
 * scrubbed from the report before it leaves.
 */
import { version as scannerVersion } from '../../package.json';
import { FINDINGS, findingOf, type Finding, type FindingDefinition, type ScanMode } from './findings';
import { AdvertisedHosts, OffHostError, ProbeHttp, RequestBudgetError, ScanNetworkError } from './http';
import { type Outcome, type Probe, type ScanContext, type ScanSettings } from './probe';
import { accessTokenProbes } from './probes/access-token';
import { authorizationEndpointProbes } from './probes/authorization-endpoint';
import { authorizationResponseProbes } from './probes/authorization-response';
import { authorizationServerProbes } from './probes/authorization-server';
import { challengeProbes } from './probes/challenge';
import { invalidTokenProbes } from './probes/invalid-tokens';
import { jwksProbes } from './probes/jwks';
import { loginProbes } from './probes/login';
import { resourceMetadataProbes } from './probes/resource-metadata';
import { transportProbes } from './probes/transport';

/** In the order they run: later probes build on what earlier ones learned. */
export const PROBES: readonly Probe[] = [
  ...challengeProbes,
  ...resourceMetadataProbes,
  ...authorizationServerProbes,
  ...transportProbes,
  ...jwksProbes,
  ...invalidTokenProbes,
  ...authorizationEndpointProbes,
  ...loginProbes,
  ...authorizationResponseProbes,
  ...accessTokenProbes,
];

export interface ScanSummary {
  readonly pass: number;
  readonly fail: number;
  readonly warn: number;
  readonly skip: number;
  readonly total: number;
}

export interface ScanReport {
  readonly scanner: { readonly name: string; readonly version: string };
  readonly target: string;
  /** The modes this scan ran in: default, and the opt-ins given. */
  readonly modes: readonly ScanMode[];
  readonly findings: readonly Finding[];
  readonly summary: ScanSummary;
}

/** The target could not be reached at all: a usage problem, not a finding. */
export class TargetUnreachableError extends Error {
  constructor(target: string, reason: string) {
    super(`cannot reach ${target}: ${reason}`);
    this.name = 'TargetUnreachableError';
  }
}

export interface ScanProgress {
  (index: number, total: number, finding: Finding): void;
}

export async function runScan(target: string, settings: ScanSettings, progress: ScanProgress = () => undefined): Promise<ScanReport> {
  const url = new URL(target);
  const ctx: ScanContext = { targetText: target, target: url, settings, hosts: new AdvertisedHosts(url), secrets: new Set(), redirects: [] };
  for (const secret of [settings.token, settings.otherResourceToken]) if (secret) ctx.secrets.add(secret);
  ctx.accessToken = settings.token;
  const modes = enabledModes(settings);

  const findings: Finding[] = [];
  for (const [index, probe] of PROBES.entries()) {
    const definition: FindingDefinition = FINDINGS[probe.id];
    const outcome = definition.modes.some((m) => modes.includes(m)) ? await runProbe(probe, ctx) : { status: 'skip' as const, detail: optInReason(definition.modes) };
    const finding = findingOf(probe.id, outcome.status, scrub(outcome.detail, ctx.secrets));
    findings.push(finding);
    progress(index + 1, PROBES.length, finding);
  }
  return { scanner: { name: 'mcp-oauth scan', version: scannerVersion }, target, modes, findings, summary: summarize(findings) };
}

async function runProbe(probe: Probe, ctx: ScanContext): Promise<Outcome> {
  const http = new ProbeHttp({ hosts: ctx.hosts, timeoutMs: ctx.settings.timeoutMs, fetchImpl: ctx.settings.fetchImpl });
  try {
    return await probe.run(ctx, http);
  } catch (error) {
    if (probe.id === 'auth-required' && error instanceof ScanNetworkError) throw new TargetUnreachableError(ctx.targetText, error.reason);
    if (error instanceof ScanNetworkError || error instanceof OffHostError || error instanceof RequestBudgetError) return { status: 'warn', detail: `the probe could not finish: ${error.message}` };
    throw error;
  }
}

export function summarize(findings: readonly Finding[]): ScanSummary {
  const count = (status: Finding['status']) => findings.filter((f) => f.status === status).length;
  return { pass: count('pass'), fail: count('fail'), warn: count('warn'), skip: count('skip'), total: findings.length };
}

/** 0 when nothing failed, 1 when a finding failed (usage errors and unreachable targets are 2, elsewhere). */
export function exitCodeOf(report: ScanReport): 0 | 1 {
  return report.summary.fail > 0 ? 1 : 0;
}

function enabledModes(settings: ScanSettings): ScanMode[] {
  return [
    'default',
    ...(settings.register ? (['register'] as const) : []),
    ...(settings.token ? (['token'] as const) : []),
    ...(settings.otherResourceToken ? (['other-resource-token'] as const) : []),
    ...(settings.login ? (['login'] as const) : []),
  ];
}

const OPT_IN_FLAGS: Record<ScanMode, string> = {
  default: '',
  register: '--register',
  token: '--token <access token>',
  'other-resource-token': '--other-resource-token <token>',
  login: '--login',
};

export const OPT_IN_PREFIX = 'opt-in: run with ';

function optInReason(modes: readonly ScanMode[]): string {
  return `${OPT_IN_PREFIX}${modes.map((m) => OPT_IN_FLAGS[m]).join(' or ')}`;
}

/** Replaces every secret the scan holds; a detail never needs one. */
export function scrub(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]');
  return out;
}
