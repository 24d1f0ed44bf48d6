import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * graphql-js is patched (patches/graphql+*.patch) to build response objects as plain objects and
 * to skip the argument map of fields without arguments. What a client gets must not change.
 */
describe('graphql-js execution, as patched', () => {
  const schema = buildSchema(`
    type Query { a: String, b: Q, list(n: Int = 2): [Q!]! }
    type Q { c: String, d(x: Int): Int }
  `);
  const rootValue = {
    a: 'A',
    b: Promise.resolve({ c: 'C', d: ({ x }: { x?: number }) => x ?? -1 }),
    list: ({ n }: { n: number }) => Array.from({ length: n }, (_, i) => ({ c: `c${i}` })),
  };

  it('answers with plain objects, an alias `__proto__` as data like any other', async () => {
    const result = await graphql({
      schema,
      rootValue,
      source: '{ __proto__: a b { __proto__: c d(x: 3) } x: a list { c } }',
    });
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data)).toBe(
      '{"__proto__":"A","b":{"__proto__":"C","d":3},"x":"A","list":[{"c":"c0"},{"c":"c1"}]}',
    );
    const data = result.data as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(data.b)).toBe(Object.prototype);
  });

  it('coerces arguments and their defaults as before, and none for a field without', async () => {
    const result = await graphql({
      schema,
      rootValue,
      source: 'query ($n: Int) { list(n: $n) { c } b { d } }',
      variableValues: { n: 3 },
    });
    expect(result).toEqual({
      data: { list: [{ c: 'c0' }, { c: 'c1' }, { c: 'c2' }], b: { d: -1 } },
    });
    const refused = await graphql({ schema, rootValue, source: '{ a(x: 1) }' });
    expect(refused.errors?.[0].message).toBe('Unknown argument "x" on field "Query.a".');
  });

  it('hands a field without arguments a fresh plain object of none', async () => {
    const seen: unknown[] = [];
    const withArgs = buildSchema('type Query { a: String, b: String }');
    const record = (args: unknown) => {
      seen.push(args);
      return 'x';
    };
    await graphql({ schema: withArgs, rootValue: { a: record, b: record }, source: '{ a b }' });
    expect(seen).toHaveLength(2);
    const [first, second] = seen as Record<string, unknown>[];
    expect(first).toEqual({});
    expect(Object.keys(first)).toEqual([]);
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(first).not.toBe(second); // a resolver may keep or change its own
  });
});
