import { type GraphQLField, getNullableType, isListType } from 'graphql';

/**
 * What a query costs (docs/security.md, "Cost"): the estimate the service refuses a document by
 * (EDP_MAX_COST) and calls a request expensive by (EDP_EXPENSIVE_COST), computed by the Pothos
 * complexity plugin from the document and its variables before any field is resolved. A unit is
 * about one row read or one value written into the answer.
 */

/** Largest page a list or connection may be asked for (`first`/`last`), and most items in a list argument (`nodes(ids:)`). */
export const MAX_PAGE_SIZE = 100;

/**
 * A field that reads or computes over the whole county (every enterprise of a year: aggregates,
 * rankings, allocation, award lists, land revitalization): what a read of ~20,000 rows costs,
 * whether or not a cached result spares it this time (the document's shape is all that is known
 * before it runs). Ten of them and a little more reach the default limit of 50,000.
 */
export const COUNTY_WIDE = 4_500;

/** An indexed search whose count and keyset page cover the county (`enterprises`), before its page. */
export const COUNTY_SEARCH = 200;

/** A list field without a size argument: its items' selection counts this many times. */
const DEFAULT_LIST_ITEMS = 10;

/**
 * The multiplier of a field's selection: the page asked for (`first`/`last`, the page cap when
 * absent); the length of a list argument (`nodes(ids:)`: one lookup per id); 1 for a connection's
 * `edges`/`nodes` (the connection counted the page); 10 for another list.
 */
function itemsOf<C, A>(args: A, field: GraphQLField<unknown, C, A>): number {
  const values = args as Record<string, unknown>;
  const page = values.first ?? values.last;
  if (typeof page === 'number') return Math.max(0, page);
  if (field.args.some((a) => a.name === 'first' || a.name === 'last')) return MAX_PAGE_SIZE;
  for (const arg of field.args)
    if (isListType(getNullableType(arg.type)) && Array.isArray(values[arg.name]))
      return (values[arg.name] as unknown[]).length;
  if (!isListType(getNullableType(field.type))) return 1;
  if ((field.name === 'edges' || field.name === 'nodes') && field.args.length === 0) return 1;
  return DEFAULT_LIST_ITEMS;
}

/** Every field's cost unless it says otherwise: 1, its selection multiplied by {@link itemsOf}. */
export function fieldCost<C, A>(
  args: A,
  _ctx: C,
  field: GraphQLField<unknown, C, A>,
): { field: number; multiplier: number } {
  return { field: 1, multiplier: itemsOf(args, field) };
}

/** The cost of a field that itself costs `base` ({@link COUNTY_WIDE}, …), its selection multiplied as any field's. */
export const costing =
  (base: number) =>
  <C, A>(args: A, ctx: C, field: GraphQLField<unknown, C, A>) => ({
    ...fieldCost(args, ctx, field),
    field: base,
  });
