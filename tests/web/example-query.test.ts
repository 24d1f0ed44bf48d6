import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.js';
import { acceptedEncoding } from '../../server/static.js';
import { exampleQuery, pruneToSchema } from '../../web/explorer/example-query.js';

// an early schema: no metrics, muEfficiency(year) with another argument, no awards
const early = buildSchema(`
  scalar Date
  type Query { enterprise(uscc: String!): Enterprise }
  type Enterprise { uscc: String! name: String! town: String muEfficiency(method: String!): Grade taxAnnual: [Annual!]! landInUse: String }
  type Grade { grade: String }
  type Annual { year: Int! revenueYuan: Float }
`);

describe('the explorer example follows the schema', () => {
  it('drops fields, arguments and variables the schema does not have', () => {
    const { query, variables } = exampleQuery(early, {
      uscc: '91370830MA3C4A0010',
      year: 2024,
      asOf: '2025-06-30',
    });
    const document = parse(query);
    expect(validate(early, document)).toEqual([]);
    expect(query).toContain('enterprise(uscc: $uscc)');
    expect(query).toContain('taxAnnual {');
    const body = query.replace(/^#.*\n/gm, '');
    // muEfficiency lacks its required argument here; landInUse became a leaf
    expect(body).not.toMatch(/metrics|awardEligibility|muEfficiency|landInUse|\$year|\$asOf/);
    expect(JSON.parse(variables)).toEqual({ uscc: '91370830MA3C4A0010' });
    expect(query.split('\n')[0]).toMatch(/^# 企业画像/);
  });

  it('removes a field whose whole selection is gone', () => {
    const pruned = pruneToSchema(
      'query($y: Int!) { enterprise(uscc: "x") { name muEfficiency(method: "m") { rank score } } other(year: $y) }',
      early,
    );
    expect(validate(early, pruned)).toEqual([]);
    expect(pruned.definitions).toHaveLength(1);
    const text = JSON.stringify(pruned);
    expect(text).not.toContain('muEfficiency');
    expect(text).not.toContain('"y"');
  });

  it('is valid against the platform schema and asks for the profile the contract names', () => {
    const { query } = exampleQuery(schema, {
      uscc: '91370830MA3C4A0010',
      year: 2024,
      asOf: '2025-06-30',
    });
    expect(validate(schema, parse(query))).toEqual([]);
    // docs/interface.md's profile fields, all present in the schema by now
    for (const field of [
      'metrics(year: $year)',
      'muEfficiency(year: $year)',
      'allocation(year: $year)',
      'awardEligibility(asOf: $asOf)',
    ])
      expect(query).toContain(field);
    // the published answer and the live one side by side
    expect(query).toContain('muEfficiencyLive: muEfficiency(year: $year, live: true)');
    expect(query).toMatch(/muEfficiency\(year: \$year\) \{\s+status\s+runId/);
  });
});

describe('content negotiation of compressed assets', () => {
  it('prefers brotli, honours q=0 and falls back to the identity', () => {
    expect(acceptedEncoding('gzip, deflate, br', ['br', 'gzip'])).toBe('br');
    expect(acceptedEncoding('gzip, br;q=0', ['br', 'gzip'])).toBe('gzip');
    expect(acceptedEncoding('br', ['gzip'])).toBeNull();
    expect(acceptedEncoding('x-gzip', ['br', 'gzip'])).toBe('gzip');
    expect(acceptedEncoding(undefined, ['br', 'gzip'])).toBeNull();
    expect(acceptedEncoding('identity', ['br', 'gzip'])).toBeNull();
  });
});
