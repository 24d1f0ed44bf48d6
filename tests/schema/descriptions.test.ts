import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.js';

/** Relay plumbing whose meaning is the Relay specification's, not ours. */
const PLUMBING_TYPES = new Set(['PageInfo', 'Node']);
const PLUMBING_FIELDS = new Set(['edges', 'node', 'nodes', 'cursor', 'pageInfo']);
const PLUMBING_ARGS = new Set(['first', 'after', 'last', 'before']);
const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

describe('the schema documents itself', () => {
  it('gives every type, field, argument and enum value a description (Relay plumbing aside)', () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || BUILT_IN.has(type.name) || PLUMBING_TYPES.has(type.name))
        continue;
      const connection = /(Connection|Edge)$/.test(type.name);
      if (!type.description?.trim() && !connection) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (PLUMBING_FIELDS.has(field.name) && (connection || isObjectType(type))) continue;
          if (
            field.name === 'id' &&
            isObjectType(type) &&
            type.getInterfaces().some((i) => i.name === 'Node')
          )
            continue;
          if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
          if ('args' in field) {
            for (const arg of field.args) {
              if (PLUMBING_ARGS.has(arg.name)) continue;
              if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
            }
          }
        }
      }
      if (isEnumType(type))
        for (const value of type.getValues())
          if (!value.description?.trim()) missing.push(`${type.name}.${value.name}`);
      if (isScalarType(type) || isUnionType(type)) continue;
    }
    expect(missing).toEqual([]);
  });
});
