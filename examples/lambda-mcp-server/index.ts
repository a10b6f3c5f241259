/**
 * The Lambda entry of the example: the configuration is bundled as the guard's own functions
 * bundle it (MCP_OAUTH_CONFIG_FILE), and MCP_RESOURCE_URI names this server's resource.
 */
import { readFileSync } from 'node:fs';
import { lambdaGuardAudit, parseConfig } from '../../lambda/guard';
import { createTicketHandler } from './handler';

const config = parseConfig(JSON.parse(readFileSync(process.env.MCP_OAUTH_CONFIG_FILE ?? 'mcp-oauth.config.json', 'utf8')));
const resource = config.resources.find((r) => r.uri === process.env.MCP_RESOURCE_URI) ?? config.resources[0]!;

export const handler = createTicketHandler({ resource, audit: lambdaGuardAudit('tickets-mcp') });
