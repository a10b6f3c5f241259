/**
 * `branding.logoSvgFile` in a configuration file: every reader of a config file (local
 * mode's, the CDK app's, the functions' MCP_OAUTH_CONFIG_FILE) reads the SVG (a relative
 * path from the config file's folder) and hands the schema its text as `branding.logoSvg`,
 * where it is validated like any inline logo. The core reads no files.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { MAX_LOGO_SVG_BYTES } from '../../core/branding';

/** A copy of the raw configuration with branding.logoSvgFile replaced by branding.logoSvg; anything else untouched. */
export function inlineBrandingFiles(raw: unknown, configDir: string): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const branding = (raw as { branding?: unknown }).branding;
  if (typeof branding !== 'object' || branding === null || !('logoSvgFile' in branding)) return raw;
  const { logoSvgFile, ...rest } = branding as { logoSvgFile: unknown } & Record<string, unknown>;
  if (typeof logoSvgFile !== 'string' || logoSvgFile === '') throw new Error('branding.logoSvgFile: must be the path of an SVG file');
  if ('logoSvg' in rest) throw new Error('branding.logoSvgFile: set logoSvgFile or logoSvg, not both');
  const path = isAbsolute(logoSvgFile) ? logoSvgFile : join(configDir, logoSvgFile);
  let svg: Buffer;
  try {
    svg = readFileSync(path);
  } catch (error) {
    throw new Error(`branding.logoSvgFile: cannot read ${path}: ${(error as Error).message}`);
  }
  if (svg.length > MAX_LOGO_SVG_BYTES) throw new Error(`branding.logoSvgFile: ${path} is larger than ${MAX_LOGO_SVG_BYTES / 1024} KB`);
  return { ...raw, branding: { ...rest, logoSvg: svg.toString('utf8') } };
}
