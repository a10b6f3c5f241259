/**
 * The stores' codec between records and DynamoDB attribute values, on AWS's own
 * marshalling (@aws-sdk/util-dynamodb, part of the Lambda runtime's SDK, so it adds nothing
 * to the bundles). Lists are stored as L (not SS): a string set cannot be empty and does
 * not keep order, and scope order is shown to users; convertToAttr makes an array an L.
 *
 * Reading is strict, which the library is not: an item that lacks a required attribute or
 * holds the wrong type is a bug or tampering, never something to paper over. The error
 * names the attribute, never its value (items hold hashes and user identifiers that have no
 * place in a log line).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { convertToAttr, convertToNative } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, AttributeValue>;

export function stringValue(value: string): AttributeValue {
  return convertToAttr(value);
}

export function numberValue(value: number): AttributeValue {
  // convertToAttr would store NaN and Infinity as the strings DynamoDB then refuses.
  if (!Number.isFinite(value)) throw new TypeError('DynamoDB numbers must be finite');
  return convertToAttr(value);
}

export function booleanValue(value: boolean): AttributeValue {
  return convertToAttr(value);
}

export function stringListValue(values: readonly string[]): AttributeValue {
  return convertToAttr([...values]);
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
    const value = this.native(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new MalformedItemError(this.what, name);
    return value;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === undefined) throw new MalformedItemError(this.what, name);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const value = this.native(name);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new MalformedItemError(this.what, name);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.native(name);
    if (typeof value !== 'boolean') throw new MalformedItemError(this.what, name);
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    return this.item[name] === undefined ? undefined : this.boolean(name);
  }

  stringList(name: string): string[] {
    const value = this.native(name);
    // An L of strings only: convertToNative reads an SS as a Set, which is not a list.
    if (!Array.isArray(value) || !value.every((element) => typeof element === 'string')) throw new MalformedItemError(this.what, name);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    if (!(allowed as readonly string[]).includes(value)) throw new MalformedItemError(this.what, name);
    return value as T;
  }

  optionalOneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    return this.item[name] === undefined ? undefined : this.oneOf(name, allowed);
  }

  /** The attribute as a JavaScript value; undefined when absent. A number beyond 2^53, or an attribute that is not one, is malformed. */
  private native(name: string): unknown {
    const attribute = this.item[name];
    if (attribute === undefined) return undefined;
    try {
      return convertToNative(attribute);
    } catch {
      throw new MalformedItemError(this.what, name);
    }
  }
}
