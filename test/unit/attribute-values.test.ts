/** The stores' codec: values written as DynamoDB stores them, and strict reading (a wrong or missing attribute is malformed, named without its value). */
import { booleanValue, buildItem, ItemReader, MalformedItemError, numberValue, optionalValue, stringListValue, stringValue } from '../../lambda/adapters/dynamodb/attribute-values';

describe('attribute values', () => {
  it('writes strings, numbers, booleans and ordered string lists as S, N, BOOL and L, and leaves absent fields out', () => {
    const item = buildItem({ a: stringValue('x'), n: numberValue(1.5), b: booleanValue(false), l: stringListValue(['z', 'a']), gone: optionalValue(undefined, stringValue) });
    expect(item).toEqual({ a: { S: 'x' }, n: { N: '1.5' }, b: { BOOL: false }, l: { L: [{ S: 'z' }, { S: 'a' }] } });
    expect(stringListValue([])).toEqual({ L: [] });
  });

  it('refuses a number DynamoDB cannot store', () => {
    expect(() => numberValue(Number.NaN)).toThrow('finite');
    expect(() => numberValue(Number.POSITIVE_INFINITY)).toThrow('finite');
  });

  it('reads back what it wrote', () => {
    const reader = new ItemReader(buildItem({ a: stringValue('x'), n: numberValue(42), b: booleanValue(true), l: stringListValue(['s1', 's2']), k: stringValue('code') }), 'test');
    expect([reader.string('a'), reader.number('n'), reader.boolean('b'), reader.stringList('l'), reader.oneOf('k', ['code', 'token'])]).toEqual(['x', 42, true, ['s1', 's2'], 'code']);
    expect([reader.optionalString('missing'), reader.optionalNumber('missing'), reader.optionalOneOf('missing', ['a'])]).toEqual([undefined, undefined, undefined]);
  });

  it.each([
    ['a string stored as a number', { v: { N: '1' } }, (r: ItemReader) => r.string('v')],
    ['a missing required string', {}, (r: ItemReader) => r.string('v')],
    ['a number that is not one', { v: { N: 'abc' } }, (r: ItemReader) => r.number('v')],
    ['a number beyond 2^53', { v: { N: '9007199254740993' } }, (r: ItemReader) => r.number('v')],
    ['a boolean stored as a string', { v: { S: 'true' } }, (r: ItemReader) => r.boolean('v')],
    ['a string set instead of a list', { v: { SS: ['a'] } }, (r: ItemReader) => r.stringList('v')],
    ['a list holding a number', { v: { L: [{ S: 'a' }, { N: '1' }] } }, (r: ItemReader) => r.stringList('v')],
    ['a value outside the allowed ones', { v: { S: 'other' } }, (r: ItemReader) => r.oneOf('v', ['a', 'b'])],
  ])('refuses %s as malformed, naming the attribute and not the value', (_what, item, read) => {
    const reader = new ItemReader(item as never, 'session');
    expect(() => read(reader)).toThrow(MalformedItemError);
    expect(() => read(reader)).toThrow('stored session item is malformed: attribute v');
  });
});
