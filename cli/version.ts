/**
 * The package's version for `mcp-oauth --version`. Read from the package.json above this
 * file, wherever it runs from: the repository (tsx) or a compiled copy inside the package.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'mcp-oauth-aws';

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly engines?: { readonly node?: string };
}

export function packageManifest(from = __dirname): PackageManifest {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Partial<PackageManifest>;
      if (manifest.name === PACKAGE_NAME && manifest.version) return manifest as PackageManifest;
    }
    if (dirname(dir) === dir) throw new Error(`no package.json of ${PACKAGE_NAME} above ${from}`);
  }
}

export function packageVersion(): string {
  return packageManifest().version;
}
