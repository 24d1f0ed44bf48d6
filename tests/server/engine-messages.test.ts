import { describe, expect, it } from 'vitest';
import { post, useSeededApp } from '../auth/support.js';
import { testDbMode } from '../support/db.js';
import { englishWords } from '../support/english.js';

/**
 * The mistakes a clerk makes writing a query in the explorer, and the HTTP refusals, answered in
 * Chinese: no English word in the message (names from the query are quoted in 「」), the engine's
 * English kept in extensions.originalMessage for developers, the code in English.
 */
describe(`the engine's messages are Chinese (${testDbMode()})`, () => {
  const seeded = useSeededApp();

  const MISTAKES: [string, string, Record<string, unknown>?][] = [
    ['an unknown field', `{ enterprise(uscc: "${'X'}") { nmae } }`],
    ['an unknown argument', `{ enterprise(usc: "1") { name } }`],
    ['a required argument left out', `{ enterprise { name } }`],
    ['an object without its fields', `{ enterprise(uscc: "1") }`],
    ['fields under a text', `{ enterprise(uscc: "1") { name { x } } }`],
    ['a text for a number', `{ countyAggregates(year: "2024") { year } }`],
    ['a fraction for a whole number', `{ countyAggregates(year: 2024.5) { year } }`],
    ['an unknown enum value', `{ muEfficiencyRanking(year: 2024, population: BIG) { rank } }`],
    [
      'an enum value in quotes',
      `{ muEfficiencyRanking(year: 2024, population: "ABOVE_SCALE") { rank } }`,
    ],
    ['a variable not declared', `{ enterprise(uscc: $u) { name } }`],
    ['a variable declared, never used', `query ($u: String) { __typename }`],
    ['a required variable not given', `query ($u: String!) { enterprise(uscc: $u) { name } }`, {}],
    [
      'a variable of the wrong type',
      `query ($y: Int!) { countyAggregates(year: $y) { year } }`,
      { y: 'x' },
    ],
    [
      'a variable of a list type mismatched',
      `query ($y: String!) { countyAggregates(year: $y) { year } }`,
      { y: '2024' },
    ],
    ['an unknown type in a fragment', `{ enterprise(uscc: "1") { ... on Firm { name } } }`],
    ['a brace left open', `{ enterprise(uscc: "1") { name }`],
    ['a string left open', `{ enterprise(uscc: "1) { name } }`],
    ['two operations, none named', `query A { __typename } query B { __typename }`],
  ];

  it.each(MISTAKES)('%s', async (_what, query, variables) => {
    const res = await seeded.app.gql(query.replace('"X"', `"${seeded.uscc}"`), variables);
    expect(res.status).toBe(400);
    const [error] = res.body.errors;
    expect(englishWords(error.message), error.message).toEqual([]);
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(error.extensions.originalMessage).toMatch(/[A-Za-z]{3}/);
    expect(error.extensions.code).toMatch(/^[A-Z_]+$/);
  });

  it('names the field, the type and the suggestion as written in the query', async () => {
    const res = await seeded.app.gql(`{ enterprise(uscc: "${seeded.uscc}") { nmae } }`);
    expect(res.body.errors[0].message).toBe(
      '类型「Enterprise」没有字段「nmae」；是否想用「name」？',
    );
    const missing = await seeded.app.gql(`{ enterprise { name } }`);
    expect(missing.body.errors[0].message).toBe(
      '字段「enterprise」缺少必填参数「uscc」（类型「String!」）',
    );
  });

  it('refuses batches, empty and oversized bodies, and a GET without a preflight header in Chinese', async () => {
    const answers = [
      await post(
        seeded.app,
        JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      ),
      await post(seeded.app, '{}'),
      await post(
        seeded.app,
        JSON.stringify({ query: `{ __typename } # ${'x'.repeat(600 * 1024)}` }),
      ),
      await post(seeded.app, '{"query": '),
    ];
    const get = await fetch(
      `${seeded.app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`,
    );
    answers.push({ status: get.status, headers: get.headers, body: await get.json() });
    for (const a of answers) {
      expect(a.status).toBeGreaterThanOrEqual(400);
      const message = a.body.errors[0].message;
      expect(englishWords(message), message).toEqual([]);
      expect(message).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
