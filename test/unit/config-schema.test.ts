/** schema/config.schema.json: the published JSON Schema of the config file is the one the zod schema generates. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA_FILE, configJsonSchema } from '../../schema/generate-config-schema';

describe('schema/config.schema.json', () => {
  it('is what the config schema generates now (run npm run schema after changing an option)', () => {
    expect(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')).toBe(configJsonSchema());
  });

  it('refuses unknown options and allows $schema at the root', () => {
    const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.$schema).toEqual(expect.objectContaining({ type: 'string' }));
    expect(schema.properties.tokens.additionalProperties).toBe(false);
    expect(schema.properties.local.additionalProperties).toBe(false);
  });

  it('is the schema the shipped local configuration names', () => {
    const local = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
    expect(join(__dirname, '../../config', local.$schema)).toBe(CONFIG_SCHEMA_FILE);
  });
});
