import { readFileSync } from 'node:fs';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.js';
import { SCHEMA_FILE, schemaFileText } from '../../scripts/print-schema.js';

describe('schema.graphql', () => {
  it('is the SDL the code builds (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const built = schemaFileText();
    if (committed !== built) {
      // name the first differing line, so the failure says what drifted
      const a = committed.split('\n');
      const b = built.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      expect(`line ${line + 1}: ${a[line] ?? '<end of file>'}`).toBe(
        `line ${line + 1}: ${b[line] ?? '<end of file>'}`,
      );
    }
    expect(committed).toBe(built);
  });

  it('keeps the fields others rely on (docs/interface.md)', () => {
    const query = schema.getQueryType()!.getFields();
    const args = (field: string) => query[field].args.map((a) => a.name);
    expect(String(query.enterprise.type)).toBe('Enterprise');
    expect(args('enterprise')).toEqual(['uscc']);
    // nullable since a refusal must null only the field (docs/refused-fields.md); never null otherwise
    expect(String(query.enterprises.type)).toBe('EnterpriseConnection');
    expect(args('enterprises')).toEqual(
      expect.arrayContaining(['filter', 'orderBy', 'first', 'after']),
    );
    const connection = schema.getType('EnterpriseConnection') as GraphQLObjectType;
    expect(String(connection.getFields().totalCount.type)).toBe('Int!');
    const enterprise = (schema.getType('Enterprise') as GraphQLObjectType).getFields();
    for (const field of ['uscc', 'name', 'status', 'town', 'industryCode'])
      expect(enterprise[field]).toBeDefined();
    expect(String(enterprise.uscc.type)).toBe('String!');
    expect(String(enterprise.status.type)).toBe('String!');
  });
});
