import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setClock } from '../../lib/clock.js';
import { allocationOf, countyAllocation } from '../../resolvers/allocation.js';
import { evaluableYears, yearStatus } from '../../resolvers/evaluable-years.js';
import { evaluateYear, muEfficiencyOf } from '../../resolvers/evaluation.js';
import { data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { CountySeed } from '../support/seed.js';

/*
 * Tax payments 2021–2025, annual returns 2022–2025, "today" 2026-06-01 in the county:
 * 2020 is before the data, 2021 has tax but no annual returns, 2026 is the current year, 2027 a
 * future one; 2022–2025 are evaluated. 规下 (亩均税收 alone) of 21 firms: ⌈1.05⌉ = 2 D a year,
 * the two lowest payers, LOW1 and LOW2, D in every year with tax.
 */
const id = (n: number) => `9137083000000${String(n).padStart(4, '0')}X`;
const LOW1 = id(1);
const LOW2 = id(2);
const TAX_YEARS = [2021, 2022, 2023, 2024, 2025];
const RETURN_YEARS = [2022, 2023, 2024, 2025];
const TODAY = '2026-06-01T04:00:00Z';

function county() {
  const s = new CountySeed();
  for (let i = 1; i <= 21; i++) {
    const u = id(i);
    s.enterprise(u, `企业${i}`).parcel(u, 15, '2015-01-01');
    for (const y of TAX_YEARS) s.tax(u, y, i <= 2 ? i * 1_000 : 1_000_000 + i * 10_000);
    s.reading(u, `P${String(i).padStart(4, '0')}`, '2025-06', 10_000);
  }
  for (const y of RETURN_YEARS)
    s.annualReturn(id(21), y, { revenue: 5_000_000, employees: 50, rd: 0 });
  return s;
}

const NOT_ENDED = (y: number) => `${y} 年度未结束：${y}-12-31 之后方可评价（今天是 2026-06-01）`;
const NO_TAX = (y: number) =>
  `税务局 ${y} 年实缴税款数据未入库（没有税款所属期在 ${y} 年的实缴记录）`;
const NO_RETURNS = (y: number) =>
  `税务局 ${y} 年度企业所得税年度申报数据未入库（没有 ${y} 年度的申报）`;

describe(`which years are evaluated (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    setClock(() => new Date(TODAY));
    t = await createTestDatabase();
    await county().insert(t.database);
  });
  afterEach(() => setClock(() => new Date(TODAY)));
  afterAll(async () => {
    setClock(null);
    await t?.drop();
  });

  it('evaluates a year only when it has ended and its tax payments and annual returns are in', async () => {
    expect(await evaluableYears(t.database)).toEqual([2025, 2024, 2023, 2022]);
    const reasons = async (y: number) => (await yearStatus(t.database, y)).reasons;
    expect(await reasons(2020)).toEqual([NO_TAX(2020), NO_RETURNS(2020)]);
    expect(await reasons(2021)).toEqual([NO_RETURNS(2021)]);
    expect(await reasons(2024)).toEqual([]);
    expect(await reasons(2026)).toEqual([NOT_ENDED(2026), NO_TAX(2026), NO_RETURNS(2026)]);
    expect(await reasons(2027)).toEqual([NOT_ENDED(2027), NO_TAX(2027), NO_RETURNS(2027)]);
  });

  it('takes the county’s date: the last day of a year has not ended it, the next day has', async () => {
    // 2025-12-31 16:00 UTC is already 2026-01-01 in 汶上县
    setClock(() => new Date('2025-12-31T15:59:00Z'));
    expect((await yearStatus(t.database, 2025)).reasons).toEqual([
      '2025 年度未结束：2025-12-31 之后方可评价（今天是 2025-12-31）',
    ]);
    expect(await evaluableYears(t.database)).toEqual([2024, 2023, 2022]);
    setClock(() => new Date('2025-12-31T16:00:00Z'));
    expect((await yearStatus(t.database, 2025)).evaluable).toBe(true);
    expect(
      muEfficiencyOf(await evaluateYear(t.database, 2025), LOW1).grade,
      'graded once the year has ended, with no new data',
    ).toBe('D');
  });

  it('grades no one, ranks no one and allocates nothing for such a year, saying why', async () => {
    const query = `query($y: Int!, $u: String!) {
      enterprise(uscc: $u) {
        muEfficiency(year: $y) { evaluated grade rank score reasons }
        allocation(year: $y) { grade consecutiveDYears surchargeYuanPerKwh reasons }
      }
      muEfficiencyRanking(year: $y, population: BELOW_SCALE) { grade }
      allocationList(year: $y) { enterprise { uscc } }
      surchargeByTown(year: $y) { town }
      evaluationYear(year: $y) { evaluable reasons }
      countyAggregates(year: $y) { county { enterprises grades { population evaluated a b c d } } }
    }`;
    const cases: [number, string[]][] = [
      [2020, [NO_TAX(2020), NO_RETURNS(2020)]],
      [2021, [NO_RETURNS(2021)]],
      [2026, [NOT_ENDED(2026), NO_TAX(2026), NO_RETURNS(2026)]],
      [2027, [NOT_ENDED(2027), NO_TAX(2027), NO_RETURNS(2027)]],
    ];
    for (const [year, why] of cases) {
      // a year after the current one has no county figures to add up: it is refused outright
      const future = year > 2026;
      const asked = future ? query.replace(/\n\s*countyAggregates[^\n]*/, '') : query;
      const r = await data(t.database, asked, { y: year, u: LOW1 });
      expect(r.enterprise.muEfficiency, String(year)).toEqual({
        evaluated: false,
        grade: null,
        rank: null,
        score: null,
        reasons: why,
      });
      expect(r.enterprise.allocation.grade, String(year)).toBeNull();
      expect(r.enterprise.allocation.surchargeYuanPerKwh, String(year)).toBeNull();
      expect(r.enterprise.allocation.reasons.slice(0, why.length), String(year)).toEqual(why);
      expect(r.muEfficiencyRanking, String(year)).toEqual([]);
      expect(r.allocationList, String(year)).toEqual([]);
      expect(r.surchargeByTown, String(year)).toEqual([]);
      expect(r.evaluationYear, String(year)).toEqual({ evaluable: false, reasons: why });
      if (future) {
        const refused = await run(t.database, `{ countyAggregates(year: ${year}) { year } }`);
        expect(refused.errors?.[0]?.message, String(year)).toMatch(
          new RegExp(`^${year} 年没有可汇总的数据：全县汇总与年度指标只提供 2015–2026 年`),
        );
        continue;
      }
      // the county's figures stay as loaded, but no one is counted in a grade
      expect(r.countyAggregates.county.enterprises, String(year)).toBe(21);
      for (const g of r.countyAggregates.county.grades)
        expect([g.evaluated, g.a, g.b, g.c, g.d], `${year} ${g.population}`).toEqual([
          0, 0, 0, 0, 0,
        ]);
    }
    // a year with its data in counts every firm, as before: 21 规下, 2 of them D
    const graded = await data(t.database, query, { y: 2024, u: LOW1 });
    const below = graded.countyAggregates.county.grades.find(
      (g: { population: string }) => g.population === 'BELOW_SCALE',
    );
    expect([below.evaluated, below.d]).toEqual([21, 2]);
    expect(graded.enterprise.muEfficiency.grade).toBe('D');
    expect(
      graded.allocationList.map((a: { enterprise: { uscc: string } }) => a.enterprise.uscc).sort(),
    ).toEqual([LOW1, LOW2].sort());
    // the dashboard role may ask which years to offer
    const years = await data(t.database, '{ evaluableYears }', {}, 'dashboard');
    expect(years.evaluableYears).toEqual([2025, 2024, 2023, 2022]);
  });

  it('lets a year not evaluated break a run of D years', async () => {
    // LOW1 is D in 2022–2025; 2021 (tax, no returns) is not evaluated, so the run starts in 2022
    const run = async (y: number) => allocationOf(await countyAllocation(t.database, y), LOW1);
    expect((await run(2022)).consecutiveDYears).toBe(1);
    expect((await run(2022)).surchargeYuanPerKwh).toBe(0.05);
    expect((await run(2025)).consecutiveDYears).toBe(4);
    expect((await run(2025)).history.map((h) => [h.year, h.grade])).toEqual([
      [2022, 'D'],
      [2023, 'D'],
      [2024, 'D'],
      [2025, 'D'],
    ]);
    // with 2023's returns missing, 2023 breaks the run: 2024 and 2025 count 1 and 2
    const withoutReturns = new CountySeed();
    for (const y of [2022, 2024, 2025])
      withoutReturns.annualReturn(id(21), y, { revenue: 5_000_000, employees: 50, rd: 0 });
    const u = await createTestDatabase();
    try {
      const seed = county();
      seed.annual = withoutReturns.annual;
      await seed.insert(u.database);
      const gap = allocationOf(await countyAllocation(u.database, 2025), LOW2);
      expect(gap.history.map((h) => [h.year, h.grade])).toEqual([
        [2022, 'D'],
        [2023, null],
        [2024, 'D'],
        [2025, 'D'],
      ]);
      expect(gap.consecutiveDYears).toBe(2);
      expect(gap.surchargeYuanPerKwh).toBe(0.1);
      expect(gap.reasons).toContain('连续年数自 2023 未评价 之后起算');
    } finally {
      await u.drop();
    }
  });
});
