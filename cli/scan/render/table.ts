/**
 * The report as a person reads it in a terminal: failures first, then warnings, passes and
 * skips, each with what was seen; what to change under every failure and warning. Opt-in
 * probes that did not run are folded into one line. Colour only when asked (a TTY).
 */
import type { Finding, FindingStatus } from '../findings';
import { OPT_IN_PREFIX, type ScanReport } from '../scanner';

const ORDER: readonly FindingStatus[] = ['fail', 'warn', 'pass', 'skip'];
const COLOURS: Record<FindingStatus, string> = { fail: '\u001b[31m', warn: '\u001b[33m', pass: '\u001b[32m', skip: '\u001b[90m' };
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

export function renderTable(report: ScanReport, options: { colour: boolean }): string {
  const paint = (text: string, code: string) => (options.colour ? `${code}${text}${RESET}` : text);
  const ran = report.findings.filter((f) => !(f.status === 'skip' && f.detail.startsWith(OPT_IN_PREFIX)));
  const notRun = report.findings.length - ran.length;
  const sorted = [...ran].sort((a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status));
  const idWidth = Math.max(...sorted.map((f) => f.id.length), 2);

  const lines = [paint(`mcp-oauth scan ${report.target}`, BOLD), `modes: ${report.modes.join(', ')}`, ''];
  for (const finding of sorted) {
    lines.push(`${paint(finding.status.toUpperCase().padEnd(4), COLOURS[finding.status])}  ${finding.severity.padEnd(8)}  ${finding.id.padEnd(idWidth)}  ${finding.title}`);
    lines.push(...indent(finding.detail));
    if (finding.remedy) lines.push(...indent(`fix: ${finding.remedy}`), ...indent(`see: ${finding.spec}`));
  }
  if (notRun) lines.push('', paint(`${notRun} opt-in probe${notRun === 1 ? '' : 's'} did not run (${optInsNotUsed(report).join(', ')})`, COLOURS.skip));
  const { summary } = report;
  const failed = `${summary.fail} failed`;
  lines.push('', `${summary.fail ? paint(failed, COLOURS.fail) : failed}, ${summary.warn} warnings, ${summary.pass} passed, ${summary.skip} skipped`);
  return `${lines.join('\n')}\n`;
}

function optInsNotUsed(report: ScanReport): string[] {
  const used = new Set(report.modes);
  return [
    ...(used.has('register') ? [] : ['--register']),
    ...(used.has('token') || used.has('login') ? [] : ['--token or --login']),
    ...(used.has('other-resource-token') ? [] : ['--other-resource-token']),
  ];
}

const DETAIL_WIDTH = 100;

function indent(text: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + word.length + 1 > DETAIL_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => `      ${l}`);
}

/** One stderr line per probe as it finishes. */
export function progressLine(index: number, total: number, finding: Finding, colour: boolean): string {
  const status = colour ? `${COLOURS[finding.status]}${finding.status}${RESET}` : finding.status;
  return `[${String(index).padStart(String(total).length)}/${total}] ${finding.id} ${status}`;
}
