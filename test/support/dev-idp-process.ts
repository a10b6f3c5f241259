/**
 * Runs the dev IdP as a child process for Jest tests. oidc-provider is ESM-only and can
 * never be loaded inside a Jest process, so tests talk to it over loopback HTTP like the
 * authorization server does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../local/dynamodb-local';

export interface DevIdpProcess {
  readonly issuer: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface DevIdpProcessOptions {
  /** A config object (written to a temporary file) or the path of a config file. @default config/local.json */
  readonly config?: object | string;
  /** 0 or absent picks a free port. */
  readonly port?: number;
  /** Redirect URIs allowed besides the AS callback, e.g. a loopback server of the test. */
  readonly extraRedirectUris?: readonly string[];
  readonly startTimeoutMs?: number;
}

const REPO_ROOT = resolve(__dirname, '..', '..');

export async function startDevIdpProcess(options: DevIdpProcessOptions = {}): Promise<DevIdpProcess> {
  const port = options.port || (await freePort());
  let tempDir: string | undefined;
  let configPath = join(REPO_ROOT, 'config', 'local.json');
  if (typeof options.config === 'string') configPath = options.config;
  else if (options.config) {
    tempDir = mkdtempSync(join(tmpdir(), 'dev-idp-'));
    configPath = join(tempDir, 'config.json');
    writeFileSync(configPath, JSON.stringify(options.config));
  }

  const args = [require.resolve('tsx/cli'), join(REPO_ROOT, 'local', 'dev-idp-main.ts'), '--port', String(port), '--config', configPath];
  for (const uri of options.extraRedirectUris ?? []) args.push('--redirect-uri', uri);
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  const issuer = await new Promise<string>((resolveReady, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dev IdP did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /dev-idp ready (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolveReady(ready[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev IdP exited with code ${code}:\n${output}`));
    });
  });

  return {
    issuer,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((done) => {
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.once('exit', () => {
            clearTimeout(force);
            done();
          });
          child.kill('SIGTERM');
        });
      }
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
