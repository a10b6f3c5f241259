/**
 * What every command writes to and the two ways a command ends badly. Commands never touch
 * process.* themselves: the dispatcher (cli/index.ts) hands them an io, so the unit tests
 * run them in process and read what they printed.
 */

export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Exit 2 (docs/cli.md): the command line itself is wrong; the usage is printed after the message. */
export class UsageError extends Error {
  /** The usage of the (sub)command that refused the line, when it is not the top-level command's. */
  usage?: string;
}

/** Exit 1: the command ran and failed; the message is one line that says what to do. */
export class CommandFailure extends Error {}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface Palette {
  readonly ok: (text: string) => string;
  readonly fail: (text: string) => string;
  readonly warn: (text: string) => string;
  readonly bold: (text: string) => string;
}

const plain = (text: string) => text;
const sgr = (code: string) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;

/** Colour only on a terminal, and never when NO_COLOR is set (no-color.org: any value, even empty). */
export function paletteFor(stream: CliStream, env: CliIo['env']): Palette {
  if (!stream.isTTY || env.NO_COLOR !== undefined) return { ok: plain, fail: plain, warn: plain, bold: plain };
  return { ok: sgr('32'), fail: sgr('31'), warn: sgr('33'), bold: sgr('1') };
}

/** Writes whole lines to stdout. */
export function printer(io: CliIo): (line?: string) => void {
  return (line = '') => io.stdout.write(`${line}\n`);
}
