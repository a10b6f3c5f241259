// Lets the MCP conformance suite (0.2.0-alpha.12) run on Node 20.
//
// The suite does `import { globSync } from "fs"`, which only Node 22 exports. A CommonJS
// preload cannot help: the ESM facade of a builtin module has its export names fixed when
// Node boots. So this file registers a module hook that, when globSync is missing, answers
// imports of `fs` with a small module re-exporting the real fs plus a globSync.
// Usage: node --import ./test/support/conformance-loader.mjs node_modules/@modelcontextprotocol/conformance/dist/index.js ...
//
// The suite calls it once, as globSync('**/checks.json', { cwd }) (tier-check results). The
// matching is tinyglobby's (a maintained glob library), answering as Node 22 does: paths
// relative to cwd, with the platform's separator.
//
// Why a hook at all: no conformance release newer than this one exists; no polyfill can add
// a named export to a builtin's ESM facade on Node 20 (node:module's syncBuiltinESMExports
// updates existing names only); and a Node 22 binary from the registry would double the
// install. On Node 22 and later the hook does nothing; drop it with Node 20 (January 2027).
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { globSync as tinyGlobSync } from 'tinyglobby';

const SHIM_QUERY = '?node20-fs-with-globsync';

/** fs.globSync as Node 22 has it, for the options the suite passes (cwd). */
export function globSync(pattern, options = {}) {
  const cwd = options.cwd ? String(options.cwd) : process.cwd();
  return tinyGlobSync(Array.isArray(pattern) ? pattern : [pattern], { cwd, dot: true, onlyFiles: false, expandDirectories: false }).map((p) => p.split('/').join(path.sep));
}

// Module hooks (run in the loader thread).
export async function resolve(specifier, context, nextResolve) {
  const isFs = specifier === 'fs' || specifier === 'node:fs';
  // The shim itself, and the glob library it uses, get the real fs.
  const fromShim = context.parentURL?.endsWith(SHIM_QUERY) || /\/node_modules\/(tinyglobby|fdir|picomatch)\//.test(context.parentURL ?? '');
  if (isFs && !fromShim && typeof fs.globSync !== 'function') {
    return { url: import.meta.url + SHIM_QUERY, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.endsWith(SHIM_QUERY)) {
    const self = url.slice(0, -SHIM_QUERY.length);
    const source = [
      "import fs from 'node:fs';",
      "export * from 'node:fs';",
      'export default fs;',
      `export { globSync } from ${JSON.stringify(self)};`,
    ].join('\n');
    return { format: 'module', source, shortCircuit: true };
  }
  return nextLoad(url, context);
}

if (isMainThread && typeof fs.globSync !== 'function') register(import.meta.url);
