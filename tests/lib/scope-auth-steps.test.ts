import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { graphql } from 'graphql';
import { describe, expect, it } from 'vitest';

/**
 * @pothos/plugin-scope-auth is patched (patches/@pothos+plugin-scope-auth+*.patch): when a field's
 * resolver is its last step, the scope steps before it run without per-call state and the resolver
 * is called directly. Scopes that answer later, grants after the resolver, refusals and promises
 * must answer as the general path does.
 */
describe('scope-auth steps, as patched', () => {
  type Ctx = { can: Set<string> };
  const builder = new SchemaBuilder<{
    Context: Ctx;
    AuthScopes: { sync: boolean; later: boolean };
  }>({
    plugins: [ScopeAuthPlugin],
    scopeAuth: {
      authScopes: (ctx: Ctx) => ({
        sync: ctx.can.has('sync'),
        // a scope that answers with a promise: the general path from there on
        later: () => Promise.resolve(ctx.can.has('later')),
      }),
    },
    // the project's builder options (drizzle) are declared globally; this builder has no drizzle
  } as never);
  const Row = builder.objectRef<{ n: number }>('Row').implement({
    authScopes: { sync: true },
    fields: (t) => ({
      n: t.exposeInt('n'),
      twice: t.int({ resolve: async (r) => r.n * 2 }),
      late: t.int({ authScopes: { later: true }, resolve: (r) => r.n + 100 }),
      granted: t.int({ grantScopes: ['x'], resolve: (r) => -r.n }),
    }),
  });
  builder.queryType({
    fields: (t) => ({
      rows: t.field({ type: [Row], resolve: () => [{ n: 1 }, { n: 2 }] }),
    }),
  });
  const schema = builder.toSchema();
  const ask = (can: string[]) =>
    graphql({
      schema,
      source: '{ rows { n twice late granted } }',
      contextValue: { can: new Set(can) },
    });

  it('resolves every field when the scopes pass, sync and async alike', async () => {
    expect(await ask(['sync', 'later'])).toEqual({
      data: {
        rows: [
          { n: 1, twice: 2, late: 101, granted: -1 },
          { n: 2, twice: 4, late: 102, granted: -2 },
        ],
      },
    });
  });

  it('refuses each field of a refused type, and a refused field on its own', async () => {
    const refusedType = await ask(['later']);
    expect(refusedType.errors?.map((e) => e.path?.join('.')).sort()).toEqual(
      ['0', '1']
        .flatMap((i) => ['n', 'twice', 'late', 'granted'].map((f) => `rows.${i}.${f}`))
        .sort(),
    );
    const refusedField = await ask(['sync']);
    expect(refusedField.errors?.map((e) => e.path?.join('.')).sort()).toEqual([
      'rows.0.late',
      'rows.1.late',
    ]);
    expect(refusedField.errors?.[0].message).toBe('Not authorized to resolve Row.late');
  });
});
