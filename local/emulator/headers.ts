/**
 * Request headers as API Gateway handles them: the caller's spelling kept, names grouped
 * case-insensitively, and the X-Forwarded-* headers it adds.
 */
import type { IncomingMessage } from 'node:http';

/** The request's headers as sent, with the caller's spelling, in order. */
export function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

/** The values of a header, whatever the case of its name. */
export function lookupHeader(headers: Record<string, string[] | undefined>, name: string): string[] | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(headers)) if (key.toLowerCase() === wanted) return values;
  return undefined;
}

/** Request headers (the caller's spelling, or the edge's for the ones it wrote), grouped case-insensitively, plus the ones API Gateway adds. */
export function headersOf(pairs: readonly (readonly [string, string])[], sourceIp: string, localPort: number | undefined): Record<string, string[]> {
  const grouped = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string) => {
    const entry = grouped.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else grouped.set(name.toLowerCase(), { name, values: [value] });
  };
  for (const [name, value] of pairs) add(name, value);
  const forwardedFor = grouped.get('x-forwarded-for');
  if (forwardedFor) forwardedFor.values = [`${forwardedFor.values.join(', ')}, ${sourceIp}`];
  else add('X-Forwarded-For', sourceIp);
  grouped.set('x-forwarded-proto', { name: 'X-Forwarded-Proto', values: ['http'] });
  grouped.set('x-forwarded-port', { name: 'X-Forwarded-Port', values: [String(localPort ?? '')] });
  return Object.fromEntries([...grouped.values()].map(({ name, values }) => [name, values]));
}
