/** Resident memory of processes on this machine, from /proc (Linux only). */
import { readdirSync, readFileSync } from 'node:fs';

export interface WatchedProcess {
  readonly pid: number;
  readonly label: string;
}

/** The processes whose command line contains every one of `parts` (NUL-separated arguments joined by spaces). */
export function findProcesses(parts: readonly string[]): { pid: number; commandLine: string }[] {
  const found: { pid: number; commandLine: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string;
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone meanwhile
    }
    if (parts.every((p) => commandLine.includes(p))) found.push({ pid: Number(entry), commandLine });
  }
  return found;
}

/** VmRSS in kB (/proc/<pid>/status), or undefined once the process is gone. */
export function residentKb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.split(/\s+/)[1]) : undefined;
  } catch {
    return undefined;
  }
}
