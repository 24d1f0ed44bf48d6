import SchemaBuilder, {
  BasePlugin,
  type PothosOutputFieldConfig,
  type SchemaTypes,
} from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { decimalsNote, roundTo } from '../lib/decimals.js';

/**
 * A field option `decimals` for Float fields: the figure is rounded as the county writes it
 * (lib/decimals.ts) when it leaves the API, and the field's description says so. Resolvers and
 * everything computed from them (scores, ranks, grades, sums) keep the unrounded value.
 *
 * `decimals` is a number of places, or a function of the parent for a field whose unit is the
 * parent's (an indicator's value in its own unit); a field given a function states its rule in
 * its own description.
 */
export type Decimals = number | ((parent: any) => number);

declare global {
  export namespace PothosSchemaTypes {
    interface Plugins<Types extends SchemaTypes> {
      decimals: DecimalsPlugin<Types>;
    }
    interface FieldOptions<Types extends SchemaTypes, ParentShape> {
      /** decimals the figure is given with (lib/decimals.ts DECIMALS) */
      decimals?: number | ((parent: ParentShape) => number);
    }
  }
}

const roundAll = (value: unknown, places: number): unknown =>
  Array.isArray(value)
    ? value.map((v) => roundAll(v, places))
    : typeof value === 'number'
      ? roundTo(value, places)
      : value;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

const pluginName = 'decimals';
export default pluginName;

export class DecimalsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>) {
    const decimals = fieldConfig.pothosOptions.decimals as Decimals | undefined;
    if (decimals === undefined) return fieldConfig;
    if (typeof decimals === 'function')
      return { ...fieldConfig, extensions: { ...fieldConfig.extensions, decimals: 'by parent' } };
    const description = fieldConfig.description?.trim() ?? '';
    return {
      ...fieldConfig,
      description:
        `${description}${/[.。]$/.test(description) || !description ? ' ' : '. '}${decimalsNote(decimals)}`.trim(),
      extensions: { ...fieldConfig.extensions, decimals },
    };
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const decimals = fieldConfig.pothosOptions.decimals as Decimals | undefined;
    if (decimals === undefined) return resolver;
    const placesFor = typeof decimals === 'number' ? () => decimals : decimals;
    return (parent, args, context, info) => {
      const value = resolver(parent, args, context, info);
      const places = placesFor(parent);
      return isThenable(value)
        ? Promise.resolve(value).then((v) => roundAll(v, places))
        : roundAll(value, places);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, DecimalsPlugin);
