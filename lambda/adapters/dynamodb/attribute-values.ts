/**
 * A tiny hand-written codec between records and DynamoDB attribute values, so the stores
 * need no marshalling library. Lists are stored as L (not SS): a string set cannot be
 * empty and does not keep order, and scope order is shown to users.
 *
 * Reading is strict: an item that lacks a required attribute or holds the wrong type is a
 * bug or tampering, never something to paper over. The error names the attribute, never
 * its value (items hold hashes and user identifiers that have no place in a log line).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export function stringValue(value: string): AttributeValue {
  return { S: value };
}

export function numberValue(value: number): AttributeValue {
  if (!Number.isFinite(value)) throw new TypeError('DynamoDB numbers must be finite');
  return { N: String(value) };
}

export function booleanValue(value: boolean): AttributeValue {
  return { BOOL: value };
}

export function stringListValue(values: readonly string[]): AttributeValue {
  return { L: values.map(stringValue) };
}

/** Builds an item, leaving out attributes whose value is absent: DynamoDB has no `undefined`. */
export function buildItem(fields: Record<string, AttributeValue | undefined>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) item[name] = value;
  return item;
}

export function optionalValue<T>(value: T | undefined, encode: (value: T) => AttributeValue): AttributeValue | undefined {
  return value === undefined ? undefined : encode(value);
}

/** Drops keys whose value is undefined, so a record read back has exactly the fields that were stored. */
export function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

export class MalformedItemError extends Error {
  constructor(what: string, attribute: string) {
    super(`stored ${what} item is malformed: attribute ${attribute}`);
    this.name = 'MalformedItemError';
  }
}

export class ItemReader {
  constructor(
    private readonly item: Item,
    private readonly what: string,
  ) {}

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined) throw new MalformedItemError(this.what, name);
    return value;
  }

  optionalString(name: string): string | undefined {
    const attribute = this.item[name];
    if (attribute === undefined) return undefined;
    if (typeof attribute.S !== 'string') throw new MalformedItemError(this.what, name);
    return attribute.S;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw new MalformedItemError(this.what, name);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const attribute = this.item[name];
    if (attribute === undefined) return undefined;
    const value = typeof attribute.N === 'string' ? Number(attribute.N) : Number.NaN;
    if (!Number.isFinite(value)) throw new MalformedItemError(this.what, name);
    return value;
  }

  boolean(name: string): boolean {
    const attribute = this.item[name];
    if (typeof attribute?.BOOL !== 'boolean') throw new MalformedItemError(this.what, name);
    return attribute.BOOL;
  }

  stringList(name: string): string[] {
    const attribute = this.item[name];
    if (!Array.isArray(attribute?.L)) throw new MalformedItemError(this.what, name);
    return attribute.L.map((element) => {
      if (typeof element.S !== 'string') throw new MalformedItemError(this.what, name);
      return element.S;
    });
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value)) throw new MalformedItemError(this.what, name);
    return value as T;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.item[name] === undefined ? undefined : this.oneOf(name, allowed);
  }
}
