import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterprises } from '../../db/market.js';
import { taxAnnual } from '../../db/tax.js';
import { normaliseName } from '../../lib/names.js';
import { CAPABILITIES, ROLES, type Role } from '../../resolvers/roles.js';
import { schema } from '../../schema/index.js';
import { batch, insertEnterprises, run, seedCounty, seedMany, uscc } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { argumentsText, rulesOf } from './schema-rules.js';

/**
 * No role learns through text what it may not read as a field. Every value the platform holds
 * behind a field a role is refused (a power account, a year's kWh on the allocation, a tax
 * return's figure, a penalty's decision number …) is gathered as an administrator reads it; then
 * each role reads every text it may (reasons, missing, notes, lists of identifiers) and none may
 * carry one of those values, in any of the ways the platform writes a number. A value the role
 * reads in a field of its own (the year's kWh among the profile's metrics) is not hidden from it.
 */

type AnyField = GraphQLField<unknown, unknown>;

/** Sentences and lists a clerk reads, as opposed to one value of a record. */
const TEXT_FIELDS = new Set(['reason', 'message', 'note', 'text', 'notes']);
const isText = (field: AnyField) =>
  getNamedType(field.type).name === 'String' &&
  (TEXT_FIELDS.has(field.name) ||
    isListType(isNonNullType(field.type) ? field.type.ofType : field.type));

/** How deep the generated selection goes below each root field. */
const DEPTH = 5;

/** One leaf of an answer: where it was (the fields along the way) and its value. */
interface Leaf {
  steps: { type: GraphQLObjectType; field: AnyField }[];
  value: unknown;
}

/**
 * A selection of every field of `type` down to `depth`, with sample arguments; an enterprise is
 * entered from the root only (its fields are reached there), a type already on the way is not
 * entered again.
 */
function selectionOf(
  type: GraphQLObjectType,
  depth: number,
  seen: ReadonlySet<string>,
  sample: (name: string, type: string) => string,
): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.deprecationReason) continue;
    const named = getNamedType(field.type);
    const args = argumentsText(field, sample);
    if (isLeafType(named)) parts.push(`${field.name}${args}`);
    else if (
      isObjectType(named) &&
      depth > 0 &&
      !seen.has(named.name) &&
      named.name !== 'Enterprise'
    )
      parts.push(
        `${field.name}${args} { __typename ${selectionOf(named, depth - 1, new Set([...seen, named.name]), sample)} }`,
      );
  }
  return parts.join(' ');
}

/** The leaves of `data` as answered for a selection on `type`, each with its fields along the way. */
function leavesOf(
  type: GraphQLObjectType,
  data: unknown,
  steps: Leaf['steps'] = [],
  out: Leaf[] = [],
): Leaf[] {
  if (data === null || data === undefined) return out;
  if (Array.isArray(data)) {
    for (const item of data) leavesOf(type, item, steps, out);
    return out;
  }
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const name = key.split('__')[0];
    const field = type.getFields()[name];
    if (!field) continue;
    const named = getNamedType(field.type);
    const here = [...steps, { type, field }];
    if (isObjectType(named)) leavesOf(named, value, here, out);
    else if (Array.isArray(value)) for (const v of value) out.push({ steps: here, value: v });
    else out.push({ steps: here, value });
  }
  return out;
}

/** Whether a role may read every field along `steps` (the scopes as the schema states them). */
function readable(steps: Leaf['steps'], role: Role): boolean {
  const can = CAPABILITIES[role];
  return steps.every(({ type, field }) =>
    rulesOf(type, field).every((rule) => passesScopes(rule, can)),
  );
}

/** The scope check of schema-rules, re-stated for rules met on the way down from any root. */
function passesScopes(scopes: unknown, can: (typeof CAPABILITIES)[Role]): boolean {
  if (typeof scopes === 'boolean') return scopes;
  return Object.entries(scopes as Record<string, unknown>).some(([name, value]) => {
    if (name === 'department') return (can.departments as readonly unknown[]).includes(value);
    if (name === '$any') return passesScopes(value, can);
    if (name === '$all')
      return Object.entries(value as Record<string, unknown>).every(([n, v]) =>
        passesScopes({ [n]: v }, can),
      );
    return value === true && can[name as 'profile' | 'personalData' | 'aggregates' | 'admin'];
  });
}

const zh = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 4 });
const zh2 = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const en = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const en2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * The ways a value may be written in a text. Small numbers, years, dates, words and short codes
 * are left out: they occur in any sentence (a rank, "2024 年", "2024-12-31", 企业所得税) without
 * telling a figure.
 */
function spellings(value: unknown): string[] {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) < 100) return [];
    if (Number.isInteger(value) && value >= 1900 && value <= 2100) return [];
    return [
      ...new Set([
        String(value),
        value.toFixed(2),
        zh.format(value),
        zh2.format(value),
        en.format(value),
        en2.format(value),
      ]),
    ];
  }
  if (typeof value === 'string' && value.length >= 3 && /\d/.test(value)) return [value];
  return [];
}

/** Values keyed by how they are written, for the readable ones to cancel the hidden ones. */
const spelled = (leaves: Leaf[]) => new Set(leaves.flatMap((l) => spellings(l.value)));

const isDate = (l: Leaf) => getNamedType(l.steps.at(-1)!.field.type).name === 'Date';

/** Whether `text` carries `written` as a whole figure or code (500 is not in 500,000; PM-1 not in PM-11). */
function cites(text: string, written: string): boolean {
  const escaped = written.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.,-])${escaped}(?![\\w-]|[.,]\\d)`, 'u').test(text);
}

/** Every root field of Query, with its sample arguments and full selection (no mutation). */
function everyRead(s: GraphQLSchema, sample: (name: string, type: string) => string): string {
  const query = s.getQueryType()!;
  const parts: string[] = [];
  for (const field of Object.values(query.getFields())) {
    if (field.deprecationReason || ['node', 'nodes'].includes(field.name)) continue;
    const named = getNamedType(field.type);
    const args = argumentsText(field, sample);
    if (isLeafType(named)) parts.push(`${field.name}${args}`);
    else if (isObjectType(named))
      parts.push(
        `${field.name}${args} { __typename ${selectionOf(named, DEPTH, new Set([named.name]), sample)} }`,
      );
  }
  return parts.join('\n');
}

describe(`no role learns through text what it may not read as a field (${testDbMode()})`, () => {
  let t: TestDatabase;
  let usccs: string[];

  beforeAll(async () => {
    t = await createTestDatabase();
    const county = await seedCounty(t.database);
    usccs = [county.A.uscc, county.B.uscc, ...(await seedMany(t.database, 12))];
    // a software firm: its 软件业务收入 is the tax return's alone, and three awards turn on it
    const software = { uscc: uscc(900), name: '汶上县云图软件有限公司', town: '中都街道' };
    await insertEnterprises(
      t.database,
      [{ ...software, industryCode: 'I6510' }],
      await batch(t.database, 'market-registry'),
    );
    // a registered capital (market detail) that is not also an award's threshold (10,000,000 元)
    await t.database.db.update(enterprises).set({ registeredCapitalYuan: '5000000.00' });
    const returns = await batch(t.database, 'tax-annual');
    await t.database.db.insert(taxAnnual).values(
      [
        [2023, '8765432.10'],
        [2024, '24681357.90'],
      ].map(([year, softwareRevenue], i) => ({
        identityKey: software.uscc,
        year: Number(year),
        uscc: software.uscc,
        rawIdentifier: software.uscc,
        rawName: software.name,
        nameNorm: normaliseName(software.name),
        matchMethod: 'uscc',
        revenueYuan: '30000000.00',
        softwareRevenueYuan: String(softwareRevenue),
        rdExpenseYuan: '0.00',
        employees: 40,
        batchId: returns,
        sourceRow: i + 2,
      })),
    );
    usccs.push(software.uscc);
    // its awards approved in a round: the reasons are frozen there as text
    const approved = await run(
      t.database,
      `mutation { approveAwardRound(asOf: "2025-06-30", codes: [SOFTWARE_REVENUE_10M, SOFTWARE_REVENUE_20M], note: "核定") { lines { id } } }`,
      {},
      'admin',
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveAwardRound.lines).toHaveLength(2);
  }, 120_000);
  afterAll(() => t?.drop());

  /** As `role`: the answer to every read of the schema, each enterprise's through `enterprise`. */
  async function readEverything(role: Role): Promise<Leaf[]> {
    const sample = (name: string, type: string) => {
      if (type === 'Int') return name === 'year' ? '2024' : '20';
      if (type === 'Float') return '1';
      if (type === 'Boolean') return 'false';
      if (type === 'Date') return '"2025-06-30"';
      if (type === 'ID') return '"1"';
      return '"x"';
    };
    const enterprise = schema.getType('Enterprise') as GraphQLObjectType;
    const metrics = schema.getType('EnterpriseMetrics') as GraphQLObjectType;
    // the figures of earlier years are the profile's too (award reasons cite them)
    const earlier = [2022, 2023]
      .map(
        (y) =>
          `metrics__${y}: metrics(year: ${y}) { ${selectionOf(metrics, 0, new Set(), sample)} }`,
      )
      .join(' ');
    const profiles = usccs
      .map(
        (u, i) =>
          `e${i}: enterprise(uscc: "${u}") { __typename ${earlier} ${selectionOf(enterprise, DEPTH, new Set(['Enterprise']), sample)} }`,
      )
      .join('\n');
    const result = await run(t.database, `{ ${everyRead(schema, sample)}\n${profiles} }`, {}, role);
    const unexpected = (result.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
    expect(unexpected.map((e) => `${e.path?.join('.')}: ${e.message}`)).toEqual([]);
    const query = schema.getQueryType()!;
    const aliased = Object.fromEntries(
      Object.entries(result.data ?? {}).map(([k, v]) => [
        /^e\d+$/.test(k) ? `enterprise__${k}` : k,
        v,
      ]),
    );
    return leavesOf(query, aliased);
  }

  it('tells the surcharge estimate’s kWh and amount only to roles that read the power company’s detail', async () => {
    const full = `{ allocationList(year: 2024) { enterprise { uscc } electricityKwh estimatedSurchargeYuan reasons } }`;
    const charged = (await run(t.database, full, {}, 'power')).data!.allocationList.filter(
      (a: { estimatedSurchargeYuan: number | null }) => (a.estimatedSurchargeYuan ?? 0) > 0,
    );
    expect(charged.length).toBeGreaterThan(0);
    const brief = `{ allocationList(year: 2024) { enterprise { uscc } reasons accounts } }`;
    for (const role of ROLES.filter((r) => CAPABILITIES[r].profile)) {
      const result = await run(t.database, brief, {}, role);
      const seesPower = CAPABILITIES[role].departments.includes('power');
      for (const a of charged) {
        const own = result.data!.allocationList.find(
          (x: { enterprise: { uscc: string } }) => x.enterprise.uscc === a.enterprise.uscc,
        );
        const text = own.reasons.join('\n');
        const kwh = `${a.electricityKwh.toLocaleString('en-US')} kWh`;
        const yuan = `${en2.format(a.estimatedSurchargeYuan)} 元`;
        expect(text.includes(kwh) && text.includes(yuan), `${role} ${text}`).toBe(seesPower);
        if (!seesPower) {
          expect(text, role).toMatch(
            /× 2024 年用电量（用电量和预计加价金额属供电公司明细，本角色不可查看）/,
          );
          expect(own.accounts, role).toBeNull();
        } else expect(own.accounts.length, role).toBeGreaterThan(0);
      }
    }
  });

  it('finds no value of a refused field in any text a role reads', async () => {
    const admin = await readEverything('admin');
    const texts = admin.filter((l) => isText(l.steps.at(-1)!.field));
    // the county has texts to check, and texts that cite figures
    expect(texts.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const role of ROLES) {
      if (role === 'admin') continue;
      const values = admin.filter((l) => !isText(l.steps.at(-1)!.field) && !isDate(l));
      const known = spelled(values.filter((l) => readable(l.steps, role)));
      const hidden = new Map<string, string>();
      for (const l of values.filter((v) => !readable(v.steps, role)))
        for (const s of spellings(l.value))
          if (!known.has(s))
            hidden.set(s, l.steps.map((x) => `${x.type.name}.${x.field.name}`).at(-1)!);
      const own = await readEverything(role);
      for (const l of own) {
        if (!isText(l.steps.at(-1)!.field) || typeof l.value !== 'string') continue;
        for (const [s, from] of hidden)
          if (cites(l.value, s))
            leaks.push(
              `${role}: ${l.steps.map((x) => x.field.name).join('.')} "${l.value}" cites ${from} (${s})`,
            );
      }
    }
    expect([...new Set(leaks)]).toEqual([]);
  }, 300_000);
});
