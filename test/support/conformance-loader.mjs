// Lets the MCP conformance suite (0.2.0-alpha.12) run on Node 20.
//
// The suite does `import { globSync } from "fs"`, which only Node 22 exports. A CommonJS
// preload cannot help: the ESM facade of a builtin module has its export names fixed when
// Node boots. So this file registers a module hook that, when globSync is missing, answers
// imports of `fs` with a small module re-exporting the real fs plus a globSync.
// Usage: node --import ./test/support/conformance-loader.mjs node_modules/@modelcontextprotocol/conformance/dist/index.js ...
//
// The suite calls it once, as globSync('**/checks.json', { cwd }) (tier-check results),
// so the fallback supports `**`, `*`, `?` and literal segments, relative to cwd.
import fs from 'node:fs';
import path from 'node:path';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const SHIM_QUERY = '?node20-fs-with-globsync';

/** Minimal fs.globSync: returns paths relative to options.cwd, with the platform's separator, as Node 22 does. */
export function globSync(pattern, options = {}) {
  const patterns = Array.isArray(pattern) ? pattern : [pattern];
  const cwd = options.cwd ? String(options.cwd) : process.cwd();
  const found = new Set();
  for (const p of patterns) {
    const matcher = globToRegExp(p);
    for (const relative of walk(cwd, '')) if (matcher.test(relative)) found.add(relative.split('/').join(path.sep));
  }
  return [...found];
}

export function globToRegExp(pattern) {
  let out = '';
  const segments = pattern.split('/');
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      out += last ? '.*' : '(?:[^/]+/)*';
      return;
    }
    out += segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
    if (!last) out += '/';
  });
  return new RegExp(`^${out}$`);
}

function* walk(root, prefix) {
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, prefix), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    yield relative;
    if (entry.isDirectory()) yield* walk(root, relative);
  }
}

// Module hooks (run in the loader thread).
export async function resolve(specifier, context, nextResolve) {
  const isFs = specifier === 'fs' || specifier === 'node:fs';
  const fromShim = context.parentURL?.endsWith(SHIM_QUERY);
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
