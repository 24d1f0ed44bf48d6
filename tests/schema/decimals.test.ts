import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type FieldNode,
  type GraphQLField,
  type GraphQLOutputType,
  getNamedType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  type SelectionSetNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { generateDemo } from '../../demo/generate.js';
import { setClock } from '../../lib/clock.js';
import { DECIMALS, roundTo } from '../../lib/decimals.js';
import { evaluateYear, storedAnswers } from '../../resolvers/evaluation.js';
import { schema } from '../../schema/index.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data } from './support.js';

/** The decimals a number is written with in JSON: 250790.0042408833 → 10, 6191.4 → 1, 12 → 0. */
const decimalsOf = (n: number) => (String(n).split('e')[0].split('.')[1] ?? '').length;

/** Every Float output field of the schema, as Type.field, with the field. */
function floatFields(): [string, GraphQLField<unknown, unknown>][] {
  const found: [string, GraphQLField<unknown, unknown>][] = [];
  for (const type of Object.values(schema.getTypeMap()))
    if (isObjectType(type) && !type.name.startsWith('__'))
      for (const field of Object.values(type.getFields()))
        if (getNamedType(field.type).name === 'Float')
          found.push([`${type.name}.${field.name}`, field]);
  return found;
}

interface Figure {
  /** Type.field */
  field: string;
  value: number;
  /** the most decimals the field may have */
  max: number;
}

/**
 * Every Float in a response, with the decimals its field declares: the answer is walked beside the
 * operation and the schema, so that no figure of the query escapes the check.
 */
function figuresOf(source: string, answer: Record<string, unknown>): Figure[] {
  const figures: Figure[] = [];
  const walk = (type: GraphQLOutputType, set: SelectionSetNode, value: unknown) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(type, set, item);
      return;
    }
    const object = getNamedType(type);
    if (!isObjectType(object)) throw new Error(`${object.name}: the check walks object types only`);
    for (const selection of set.selections) {
      if (selection.kind !== Kind.FIELD) throw new Error('the check walks plain fields only');
      const node = selection as FieldNode;
      if (node.name.value === '__typename') continue;
      const field = object.getFields()[node.name.value];
      const child = (value as Record<string, unknown>)[node.alias?.value ?? node.name.value];
      if (node.selectionSet) walk(field.type, node.selectionSet, child);
      else if (isLeafType(getNamedType(field.type)) && getNamedType(field.type).name === 'Float') {
        const declared = field.extensions.decimals;
        const max = typeof declared === 'number' ? declared : DECIMALS.fraction;
        for (const v of [child].flat())
          if (typeof v === 'number')
            figures.push({ field: `${object.name}.${field.name}`, value: v, max });
      }
    }
  };
  const operation = parse(source).definitions[0];
  if (operation.kind !== Kind.OPERATION_DEFINITION) throw new Error('one operation expected');
  walk(schema.getQueryType()!, operation.selectionSet, answer);
  return figures;
}

describe('the schema states each figure’s rounding', () => {
  it('gives every Float field its decimals, and says so in its description', () => {
    const fields = floatFields();
    expect(fields.length).toBeGreaterThan(60);
    const undeclared = fields.filter(([, f]) => f.extensions.decimals === undefined);
    expect(undeclared.map(([name]) => name)).toEqual([]);
    const unstated = fields.filter(([, f]) => !/位小数/.test(f.description ?? ''));
    expect(unstated.map(([name]) => name)).toEqual([]);
  });

  it('declares 元 to the fen, 亩 to 2 places or 4 for the land office, fractions to 4', () => {
    const declared = Object.fromEntries(floatFields().map(([n, f]) => [n, f.extensions.decimals]));
    expect(declared).toMatchObject({
      'EnterpriseMetrics.muAverageTaxYuan': 2,
      'EnterpriseMetrics.taxPaidYuan': 2,
      'EnterpriseMetrics.revenuePerTceYuan': 2,
      'EnterpriseMetrics.landAreaMu': 2,
      'EnterpriseMetrics.energyTce': 4,
      'EnterpriseMetrics.rdIntensity': 4,
      'MuEfficiency.score': 2,
      'MuIndicator.points': 2,
      'MuIndicator.value': 'by parent',
      'LandParcel.areaMu': 4,
      'LandInUse.areaMu': 4,
      'LandRevitalizationCase.landAreaMu': 4,
      'LandRevitalizationConnection.totalAreaMu': 4,
      'Allocation.surchargeYuanPerKwh': 4,
      'AwardEligibility.amountYuan': 2,
      'ClusterTarget.shareReached': 4,
    });
  });
});

/**
 * The demo county read back through GraphQL: every figure has at most its declared decimals, the
 * unrounded figures did have more (so the check can fail), and ranks and grades are those of the
 * unrounded scores.
 */
describe(`figures are rounded as officials write them (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let year: number;
  beforeAll(async () => {
    setClock(() => new Date('2026-12-05T04:00:00Z'));
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-decimals-'));
    await generateDemo(dir, { enterprises: 300 });
    await ingestManifest(t.database, dir);
    year = (await data(t.database, '{ evaluableYears }')).evaluableYears[0];
  }, 300_000);
  afterAll(async () => {
    setClock(null);
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const METRICS = `year landAreaMu landAreaM2 taxPaidYuan revenueYuan electricityKwh energyTce
    muAverageTaxYuan muAverageRevenueYuan revenuePerTceYuan rdExpenseYuan rdIntensity employees labourProductivityYuan`;
  const RANKING = /* GraphQL */ `
    query ($year: Int!, $date: Date!) {
      muEfficiencyRanking(year: $year, first: 100) {
        rank grade score
        indicators { name value benchmark weight points }
        enterprise {
          uscc registeredCapitalYuan
          metrics(year: $year) { ${METRICS} }
          landInUse(date: $date) { heldM2 leasedOutM2 leasedInM2 areaM2 areaMu }
          parcels { areaM2 areaMu }
          leasesIn { areaM2 areaMu }
          allocation(year: $year) { electricityKwh estimatedSurchargeYuan surchargeYuanPerKwh accountDetails { kwh estimatedSurchargeYuan } }
        }
      }
    }`;
  const COUNTY = /* GraphQL */ `
    query ($year: Int!) {
      countyAggregates(year: $year) {
        county { taxPaidYuan revenueYuan landAreaMu electricityKwh muAverageTaxYuan }
        byTown { taxPaidYuan revenueYuan landAreaMu electricityKwh muAverageTaxYuan }
        clusterTargets { targetRevenueYuan revenueYuan shareReached }
      }
      muAverageTaxLeaders(year: $year, first: 20) { muAverageTaxYuan taxPaidYuan landAreaMu }
      surchargeByTown(year: $year) { kwh estimatedSurchargeYuan }
      landRevitalization(year: $year, first: 100) {
        totalAreaMu
        nodes { landAreaMu landAreaM2 taxPaidYuan electricityKwh parcels { areaM2 areaMu } }
      }
      landRevitalizationByTown(year: $year) { areaMu }
    }`;

  /**
   * No figure of `source`'s answer beyond its decimals, and each of `fields` using every decimal it
   * may somewhere (the rounding bites: the figure had more before).
   */
  const expectRounded = (source: string, answer: Record<string, unknown>, fields: string[]) => {
    const figures = figuresOf(source, answer);
    const over = figures.filter((f) => decimalsOf(f.value) > f.max);
    expect(over.map((f) => `${f.field} ${f.value}`)).toEqual([]);
    const full = new Set(figures.filter((f) => decimalsOf(f.value) === f.max).map((f) => f.field));
    expect(fields.filter((f) => !full.has(f))).toEqual([]);
  };

  it('the ranking, profiles, land and allocation: no figure beyond its decimals', async () => {
    const variables = { year, date: `${year}-12-31` };
    const answer = await data(t.database, RANKING, variables);
    expect(answer.muEfficiencyRanking.length).toBeGreaterThan(20);
    expectRounded(RANKING, answer, [
      'EnterpriseMetrics.muAverageTaxYuan',
      'EnterpriseMetrics.revenuePerTceYuan',
      'EnterpriseMetrics.energyTce',
      'EnterpriseMetrics.rdIntensity',
      'MuEfficiency.score',
      'MuIndicator.points',
      'LandInUse.areaMu',
    ]);
  });

  it('ranks and grades from the unrounded scores; the score answered is the score rounded', async () => {
    const evaluation = await evaluateYear(t.database, year);
    const raw = new Map(storedAnswers(evaluation).map((r) => [r.uscc, r]));
    const answer = await data(t.database, RANKING, { year, date: `${year}-12-31` });
    let moreDecimals = 0;
    for (const row of answer.muEfficiencyRanking) {
      const r = raw.get(row.enterprise.uscc)!;
      expect([row.rank, row.grade]).toEqual([r.rank, r.grade]);
      expect(row.score).toBe(roundTo(r.score, DECIMALS.score));
      if (decimalsOf(r.score!) > DECIMALS.score) moreDecimals++;
      r.indicators.forEach((ind, i) => {
        expect(row.indicators[i].points).toBe(roundTo(ind.points, DECIMALS.score));
        const places = ind.id === 'rdIntensity' ? DECIMALS.fraction : DECIMALS.yuan;
        expect(row.indicators[i].value).toBe(roundTo(ind.value, places));
        expect(row.indicators[i].benchmark).toBe(roundTo(ind.benchmark, places));
      });
      expect(row.enterprise.metrics.muAverageTaxYuan).toBe(
        roundTo(r.metrics?.muAverageTaxYuan ?? null, DECIMALS.yuan),
      );
    }
    expect(moreDecimals).toBeGreaterThan(10);
  });

  it('the county’s figures, leaders, surcharges and land revitalization', async () => {
    const answer = await data(t.database, COUNTY, { year });
    expect(answer.landRevitalization.nodes.length).toBeGreaterThan(0);
    expectRounded(COUNTY, answer, [
      'AggregateGroup.muAverageTaxYuan',
      'ClusterTarget.shareReached',
      'MuTaxLeader.muAverageTaxYuan',
    ]);
  });
});
