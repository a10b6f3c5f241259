/**
 * The one reader of an API Gateway event's headers (REST API payload v1: proxy events and
 * REQUEST authorizer events alike). API Gateway keeps the client's spelling of each name and
 * gives every header twice: `multiValueHeaders`, the source of truth, and `headers`, which
 * keeps only the last value of a repeated one. OAuth must see a header sent twice, so the
 * multi-valued view wins whenever it is there.
 */
import { recordOfSentNames } from '../../core/http';

type EventHeaderFields = {
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
};

/**
 * Every value of every header, by lower-case name, in order of appearance; headers that
 * differ only in case are one header. With `only`, the other names are skipped unread.
 */
export function eventHeaders(event: EventHeaderFields, only?: ReadonlySet<string>): Record<string, string[]> {
  return multiValued(event.multiValueHeaders, event.headers, { lowerCaseNames: true, only });
}

/** The same reading for the query string: names keep their case. */
export function eventQuery(event: {
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
}): Record<string, string[]> {
  return multiValued(event.multiValueQueryStringParameters, event.queryStringParameters, { lowerCaseNames: false });
}

function multiValued(
  multi: Readonly<Record<string, readonly string[] | undefined>> | null | undefined,
  single: Readonly<Record<string, string | undefined>> | null | undefined,
  options: { readonly lowerCaseNames: boolean; readonly only?: ReadonlySet<string> },
): Record<string, string[]> {
  const out = recordOfSentNames<string[]>();
  const add = (key: string, values: readonly string[]) => {
    const name = options.lowerCaseNames ? key.toLowerCase() : key;
    if (options.only && !options.only.has(name)) return;
    (out[name] ??= []).push(...values);
  };
  if (multi && Object.keys(multi).length) {
    for (const key of Object.keys(multi)) {
      const values = multi[key];
      if (values) add(key, values);
    }
    return out;
  }
  for (const key of Object.keys(single ?? {})) {
    const value = single![key];
    if (value !== undefined) add(key, [value]);
  }
  return out;
}
