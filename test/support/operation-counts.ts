/**
 * What a flow costs on AWS, counted while it runs: DynamoDB calls (through the stores' real
 * DynamoDB client), the request units AWS bills for them, and the tables in
 * docs/deploy.md that these measurements must match.
 *
 * Request units, on-demand:
 * - Reads follow the billing rule for items up to 4 KB: a strongly consistent read is 1
 *   read unit, an eventually consistent one 0.5, and BatchGetItem is billed per key asked
 *   for, found or not (each key is a GetItem). DynamoDB Local's own report must agree for
 *   GetItem (which proves the items are small); it reports nothing for keys it did not
 *   find, so for BatchGetItem it may only be lower.
 * - Writes are what DynamoDB Local reports for the call (ReturnConsumedCapacity TOTAL): it
 *   sizes the item in 1 KB steps and adds one write per global secondary index the write
 *   touches, as AWS bills. For TransactWriteItems it reports every item twice over (a
 *   ConditionCheck as 2, a Put of a 1 KB item with two index writes as 6), as AWS bills
 *   transactional writes, so its report is taken as it is.
 */
import { readFileSync } from 'node:fs';
import type { DynamoDbCalls } from '../../lambda/adapters/dynamodb/dynamodb-calls';

export const DYNAMODB_COMMANDS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem', 'TransactWriteItems'] as const;
export type DynamoDbCommand = (typeof DYNAMODB_COMMANDS)[number];

export interface DynamoDbCall {
  readonly command: string;
  /** Keys of a BatchGetItem, items of a TransactWriteItems, 1 otherwise. */
  readonly units: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** What DynamoDB Local reported as consumed for the call. */
  readonly reportedCapacity: number;
}

/** Counts every call made through `client` (the stores' DynamoDbCalls), from now on, until detach(). */
export class DynamoDbCallRecorder {
  readonly calls: DynamoDbCall[] = [];
  private readonly original: DynamoDbCalls['call'];

  constructor(private readonly client: DynamoDbCalls) {
    this.original = client.call;
    const original = client.call.bind(client) as (operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
    client.call = (async (operation: string, input: Record<string, unknown>) => {
      // Asking for the consumed capacity changes nothing else about the call.
      const output = await original(operation, { ...input, ReturnConsumedCapacity: 'TOTAL' });
      this.calls.push(describeCall(operation, input, output));
      return output;
    }) as DynamoDbCalls['call'];
  }

  detach(): void {
    this.client.call = this.original;
  }
}

function describeCall(command: string, input: Record<string, unknown>, output: Record<string, unknown>): DynamoDbCall {
  const reportedCapacity = reportedCapacityOf(command, output);
  const read = (units: number, readUnits: number): DynamoDbCall => ({ command, units, readUnits, writeUnits: 0, reportedCapacity });
  const write = (units: number, writeUnits: number): DynamoDbCall => ({ command, units, readUnits: 0, writeUnits, reportedCapacity });
  switch (command) {
    case 'GetItem':
    case 'Query': // with small items, one 4 KB step
      return read(1, input.ConsistentRead === true ? 1 : 0.5);
    case 'BatchGetItem': {
      const tables = Object.values(input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>);
      const keys = tables.reduce((sum, t) => sum + t.Keys.length, 0);
      return read(keys, tables.reduce((sum, t) => sum + t.Keys.length * (t.ConsistentRead === true ? 1 : 0.5), 0));
    }
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return write(1, reportedCapacity);
    case 'TransactWriteItems':
      return write((input.TransactItems as unknown[]).length, reportedCapacity);
    default:
      throw new Error(`DynamoDB ${command} is not priced by this counter: add its billing rule`);
  }
}

function reportedCapacityOf(command: string, output: Record<string, unknown> | undefined): number {
  const consumed = output?.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
  const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
  // DynamoDB Local leaves ConsumedCapacity out of a BatchGetItem that found nothing.
  if (list.length === 0 && command === 'BatchGetItem') return 0;
  if (list.length === 0 || list.some((c) => typeof c.CapacityUnits !== 'number')) throw new Error(`DynamoDB reported no consumed capacity for ${command}`);
  return list.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

/** Calls whose billed read units DynamoDB Local's report contradicts (an item grew past 4 KB, or the rule is wrong). */
export function readUnitDisagreements(calls: readonly DynamoDbCall[]): string[] {
  return calls
    .filter((c) => (c.command === 'BatchGetItem' ? c.reportedCapacity > c.readUnits : c.readUnits > 0 && c.reportedCapacity !== c.readUnits))
    .map((c) => `${c.command}: billed ${c.readUnits} read units, DynamoDB Local reported ${c.reportedCapacity}`);
}

/** The counts of one flow, as measured and as docs/deploy.md states them. */
export interface FlowCounts {
  readonly apiGatewayRequests: number;
  /** Invocations per function, e.g. { AS: 5, PRM: 1 }; functions with none are left out. */
  readonly lambdaInvocations: Readonly<Record<string, number>>;
  /** Calls per DynamoDB command, and the keys (BatchGetItem) or items (TransactWriteItems) they carried. */
  readonly dynamoDbCalls: Readonly<Record<string, { readonly calls: number; readonly units: number }>>;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly kmsSign: number;
}

export function summarizeDynamoDbCalls(calls: readonly DynamoDbCall[]): Pick<FlowCounts, 'dynamoDbCalls' | 'readUnits' | 'writeUnits'> {
  const dynamoDbCalls: Record<string, { calls: number; units: number }> = {};
  let readUnits = 0;
  let writeUnits = 0;
  for (const call of calls) {
    const entry = (dynamoDbCalls[call.command] ??= { calls: 0, units: 0 });
    entry.calls++;
    entry.units += call.units;
    readUnits += call.readUnits;
    writeUnits += call.writeUnits;
  }
  return { dynamoDbCalls, readUnits, writeUnits };
}

// ---------------------------------------------------------------------------------------
// The table in docs/deploy.md, between its markers.

export const TABLE_BEGIN = '<!-- operation-counts:begin -->';
export const TABLE_END = '<!-- operation-counts:end -->';

export interface DocumentedFlow {
  readonly flow: string;
  readonly counts: FlowCounts;
  /** The "USD per million" column as written. */
  readonly usdPerMillion: number;
}

export const DOC_COLUMNS = ['Flow', 'API Gateway requests', 'Lambda invocations', 'DynamoDB calls', 'DynamoDB read units', 'DynamoDB write units', 'KMS Sign', 'USD per million'] as const;

export function readDocumentedCounts(markdownPath: string): DocumentedFlow[] {
  const text = readFileSync(markdownPath, 'utf8');
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`${markdownPath}: no table between ${TABLE_BEGIN} and ${TABLE_END}`);
  const rows = text
    .slice(begin + TABLE_BEGIN.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) => line.replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim()));
  const [header, separator, ...body] = rows;
  if (!header || JSON.stringify(header) !== JSON.stringify(DOC_COLUMNS)) throw new Error(`the table's columns must be: ${DOC_COLUMNS.join(' | ')} (found: ${header?.join(' | ')})`);
  if (!separator?.every((cell) => /^-+$/.test(cell))) throw new Error('the table needs a |---| separator row');
  return body.map((cells) => {
    if (cells.length !== DOC_COLUMNS.length) throw new Error(`row "${cells[0]}" has ${cells.length} cells, not ${DOC_COLUMNS.length}`);
    const [flow, apiGateway, lambda, dynamoDb, reads, writes, sign, usd] = cells as [string, string, string, string, string, string, string, string];
    return {
      flow,
      counts: {
        apiGatewayRequests: exactNumber(apiGateway, flow),
        lambdaInvocations: parseLambdaCell(lambda, flow),
        dynamoDbCalls: parseDynamoDbCell(dynamoDb, flow),
        readUnits: exactNumber(reads, flow),
        writeUnits: exactNumber(writes, flow),
        kmsSign: exactNumber(sign, flow),
      },
      usdPerMillion: exactNumber(usd, flow),
    };
  });
}

function exactNumber(cell: string, flow: string): number {
  if (!/^\d+(\.\d+)?$/.test(cell)) throw new Error(`row "${flow}": "${cell}" is not an exact number`);
  return Number(cell);
}

/** "6 (AS 5, PRM 1)" or "0". The total must equal the sum of the parts. */
function parseLambdaCell(cell: string, flow: string): Record<string, number> {
  const match = /^(\d+)(?: \((.+)\))?$/.exec(cell);
  if (!match) throw new Error(`row "${flow}": Lambda invocations "${cell}" must read like "6 (AS 5, PRM 1)"`);
  const parts: Record<string, number> = {};
  for (const part of match[2]?.split(',').map((p) => p.trim()) ?? []) {
    const named = /^([A-Za-z]+) (\d+)$/.exec(part);
    if (!named) throw new Error(`row "${flow}": "${part}" must read like "AS 5"`);
    parts[named[1]!] = Number(named[2]);
  }
  const sum = Object.values(parts).reduce((a, b) => a + b, 0);
  if (sum !== Number(match[1])) throw new Error(`row "${flow}": Lambda invocations ${match[1]} is not the sum of its parts (${sum})`);
  return parts;
}

/** "GetItem 2, PutItem 1, BatchGetItem 1 (4 keys), TransactWriteItems 1 (2 items)" or "none". */
function parseDynamoDbCell(cell: string, flow: string): Record<string, { calls: number; units: number }> {
  const calls: Record<string, { calls: number; units: number }> = {};
  if (cell === 'none') return calls;
  for (const part of cell.split(',').map((p) => p.trim())) {
    const match = /^([A-Za-z]+) (\d+)(?: \((\d+) (?:keys?|items?)\))?$/.exec(part);
    if (!match || !(DYNAMODB_COMMANDS as readonly string[]).includes(match[1]!)) {
      throw new Error(`row "${flow}": "${part}" must read like "GetItem 2" or "BatchGetItem 1 (4 keys)", with one of ${DYNAMODB_COMMANDS.join(', ')}`);
    }
    const count = Number(match[2]);
    calls[match[1]!] = { calls: count, units: match[3] === undefined ? count : Number(match[3]) };
  }
  return calls;
}

// ---------------------------------------------------------------------------------------
// Prices: us-east-1 list prices, stated in docs/deploy.md as assumptions.

export interface UnitPrices {
  /** USD per million of each. */
  readonly apiGatewayRequest: number;
  readonly wafRequest: number;
  readonly lambdaInvocation: number;
  readonly readUnit: number;
  readonly writeUnit: number;
  readonly kmsSign: number;
}

/** USD per million runs of a flow, rounded to cents. */
export function usdPerMillion(counts: FlowCounts, prices: UnitPrices): number {
  const lambda = Object.values(counts.lambdaInvocations).reduce((a, b) => a + b, 0);
  const usd =
    counts.apiGatewayRequests * (prices.apiGatewayRequest + prices.wafRequest) +
    lambda * prices.lambdaInvocation +
    counts.readUnits * prices.readUnit +
    counts.writeUnits * prices.writeUnit +
    counts.kmsSign * prices.kmsSign;
  return Math.round(usd * 100) / 100;
}

export const PRICES_BEGIN = '<!-- unit-prices:begin -->';
export const PRICES_END = '<!-- unit-prices:end -->';

/** Which row of the price table is which price: the first cell starts with the label. */
const PRICE_ROWS: Readonly<Record<keyof UnitPrices, string>> = {
  apiGatewayRequest: 'API Gateway REST request',
  wafRequest: 'WAF request',
  lambdaInvocation: 'Lambda invocation',
  readUnit: 'DynamoDB read request unit',
  writeUnit: 'DynamoDB write request unit',
  kmsSign: 'KMS Sign',
};

export function readDocumentedPrices(markdownPath: string): UnitPrices {
  const text = readFileSync(markdownPath, 'utf8');
  const begin = text.indexOf(PRICES_BEGIN);
  const end = text.indexOf(PRICES_END);
  if (begin === -1 || end === -1 || end < begin) throw new Error(`${markdownPath}: no table between ${PRICES_BEGIN} and ${PRICES_END}`);
  const rows = text
    .slice(begin + PRICES_BEGIN.length, end)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) => line.replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim()));
  const prices: Partial<Record<keyof UnitPrices, number>> = {};
  for (const [key, label] of Object.entries(PRICE_ROWS) as [keyof UnitPrices, string][]) {
    const row = rows.find((cells) => cells[0]?.startsWith(label));
    if (!row) throw new Error(`the price table has no row starting with "${label}"`);
    prices[key] = exactNumber(row[row.length - 1] ?? '', label);
  }
  return prices as UnitPrices;
}

const LAMBDA_ORDER = ['AS', 'PRM', 'authorizer', 'MCP'];

/** The table row that states `counts`, as docs/deploy.md should have it. */
export function formatDocumentedRow(flow: string, counts: FlowCounts, usd: number): string {
  const lambdaNames = Object.keys(counts.lambdaInvocations).sort((a, b) => LAMBDA_ORDER.indexOf(a) - LAMBDA_ORDER.indexOf(b));
  const lambdaTotal = lambdaNames.reduce((sum, name) => sum + (counts.lambdaInvocations[name] ?? 0), 0);
  const lambda = lambdaNames.length ? `${lambdaTotal} (${lambdaNames.map((n) => `${n} ${counts.lambdaInvocations[n]}`).join(', ')})` : '0';
  const calls = DYNAMODB_COMMANDS.filter((c) => counts.dynamoDbCalls[c]).map((c) => {
    const { calls: n, units } = counts.dynamoDbCalls[c]!;
    if (c === 'BatchGetItem') return `${c} ${n} (${units} ${units === 1 ? 'key' : 'keys'})`;
    if (c === 'TransactWriteItems') return `${c} ${n} (${units} ${units === 1 ? 'item' : 'items'})`;
    return `${c} ${n}`;
  });
  const cells = [flow, String(counts.apiGatewayRequests), lambda, calls.join(', ') || 'none', String(counts.readUnits), String(counts.writeUnits), String(counts.kmsSign), usd.toFixed(2)];
  return `| ${cells.join(' | ')} |`;
}
