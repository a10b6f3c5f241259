/**
 * Writes schema/config.schema.json, the JSON Schema of the config file, generated from the
 * zod schema both hosts validate with (lambda/adapters/config/config-schema.ts and local
 * mode's section, local/local-config.ts). Editors use it through the file's `$schema`.
 *
 *   npm run schema            regenerate it
 *   npm run schema -- --check exit 1 when the file is stale (a unit test checks the same)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { configFileSchemaWithLocal } from '../local/local-config';

export const CONFIG_SCHEMA_FILE = join(__dirname, 'config.schema.json');

export function configJsonSchema(): string {
  const schema = z.toJSONSchema(configFileSchemaWithLocal, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, title: 'mcp-oauth-aws configuration' }, null, 2)}\n`;
}

if (require.main === module) {
  const generated = configJsonSchema();
  if (process.argv.includes('--check')) {
    if (readFileSync(CONFIG_SCHEMA_FILE, 'utf8') !== generated) {
      console.error(`${CONFIG_SCHEMA_FILE} is stale: run npm run schema`);
      process.exit(1);
    }
  } else {
    writeFileSync(CONFIG_SCHEMA_FILE, generated);
    console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
  }
}
