import { encodeGlobalID } from '@pothos/plugin-relay';
import { getNamedType, isNonNullType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAPABILITIES, ROLES, type Role } from '../../resolvers/roles.js';
import { schema } from '../../schema/index.js';
import type { TestApp } from '../support/app.js';
import { type TestDatabase, testDbMode } from '../support/db.js';
import {
  allowedFor,
  argumentsText,
  fieldText,
  objectTypes,
  pathsFromQuery,
  permittedLeaf,
  refusalsFor,
  type Step,
  selectionText,
  unguardedFields,
} from './schema-rules.js';
import { bearer, errorsWithCode, keysForEveryRole, seededApp, stopSeeded } from './support.js';

/** A selection path without list indices: ['enterprise', 'taxPayments', 'edges', 'node', 'receiptNo']. */
const names = (path: readonly (string | number)[] | undefined) =>
  (path ?? []).filter((p) => typeof p === 'string').join('.');

/** Where along `steps` the role is first refused (index), or -1 when every step lets it through. */
const firstDenied = (steps: Step[], role: Role) =>
  steps.findIndex((s) => !allowedFor(s.type, s.field, CAPABILITIES[role]));

describe(`role × field matrix from the schema (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let keys: Record<Role, string>;
  let uscc: string;

  beforeAll(async () => {
    ({ t, app, uscc } = await seededApp());
    keys = await keysForEveryRole(t.database);
  });
  afterAll(() => stopSeeded(t, app));

  it('gives every field a rule, unless its type is public or reachable only through guarded fields', () => {
    expect(unguardedFields(schema)).toEqual([]);
  });

  it('refuses every field to each role without its scope (FORBIDDEN on that field) and serves it to the others', async () => {
    const sample = (name: string, type: string) => {
      if (type === 'Int') return name === 'year' ? '2024' : '1';
      if (type === 'Float') return '1';
      if (type === 'Boolean') return 'true';
      if (type === 'Date') return '"2024-12-31"';
      if (type === 'ID')
        return name === 'id' || name === 'ids'
          ? JSON.stringify(encodeGlobalID('Enterprise', uscc))
          : '"0"';
      return /uscc/i.test(name) ? JSON.stringify(uscc) : '"x"';
    };
    const paths = pathsFromQuery(schema, ['enterprise']);
    const cases: { label: string; operation: string; steps: Step[] }[] = [];
    for (const type of objectTypes(schema)) {
      const mutation = type === schema.getMutationType();
      const prefix = mutation ? [] : paths.get(type.name);
      if (!prefix) continue; // only reachable through a mutation's result: its way in is checked at the mutation field
      for (const field of Object.values(type.getFields())) {
        const steps = [...prefix, { type, field }];
        cases.push({
          label: `${type.name}.${field.name}`,
          operation: `${mutation ? 'mutation ' : ''}{ ${selectionText(steps, sample)} }`,
          steps,
        });
      }
    }
    expect(cases.length).toBeGreaterThan(50);

    const failures: string[] = [];
    let denials = 0;
    let queue = cases.flatMap((c) => ROLES.map((role) => ({ ...c, role })));
    while (queue.length) {
      const chunk = queue.slice(0, 16);
      queue = queue.slice(16);
      await Promise.all(
        chunk.map(async ({ label, operation, steps, role }) => {
          const { status, body } = await app.gql(operation, {}, bearer(keys[role]));
          const forbidden = errorsWithCode(body, 'FORBIDDEN');
          const at = firstDenied(steps, role);
          if (at === -1) {
            if (forbidden.length)
              failures.push(
                `${role} ${label}: refused (${forbidden[0].message}) but its rules allow it`,
              );
            return;
          }
          denials++;
          const where = steps
            .slice(0, at + 1)
            .map((s) => s.field.name)
            .join('.');
          const hit = forbidden.find((e) => names(e.path) === where);
          if (!hit)
            failures.push(
              `${role} ${label}: expected FORBIDDEN at ${where}, got ${status} ${JSON.stringify(body).slice(0, 300)}`,
            );
          else if (
            !hit.message.includes(`${steps[at].type.name}.${steps[at].field.name}`) ||
            !hit.message.includes(role)
          ) {
            failures.push(`${role} ${label}: unclear message "${hit.message}"`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    // each role that lacks something was refused somewhere: the matrix really ran both ways
    expect(denials).toBeGreaterThan(cases.length);
  }, 600_000);

  it('makes every field a role may be refused nullable, so that a refusal nulls it alone', async () => {
    const sample = (name: string, type: string) => {
      if (type === 'Int') return name === 'year' ? '2024' : '1';
      if (type === 'ID') return JSON.stringify(encodeGlobalID('Enterprise', uscc));
      if (type === 'Date') return '"2024-12-31"';
      if (type === 'Float') return '1';
      if (type === 'Boolean') return 'true';
      return /uscc/i.test(name) ? JSON.stringify(uscc) : '"x"';
    };
    const failures: string[] = [];
    let walked = 0;
    for (const role of ROLES) {
      const can = CAPABILITIES[role];
      for (const { steps, type, field } of refusalsFor(schema, can, ['enterprise'])) {
        const label = `${role} ${type.name}.${field.name}`;
        if (isNonNullType(field.type))
          failures.push(`${label}: ${field.type} is non-null, so a refusal nulls its parent`);
        // the refused field beside one its role may read, on the same parent
        const sibling =
          type === schema.getMutationType()
            ? undefined
            : type === schema.getQueryType()
              ? schema.getQueryType()!.getFields().evaluableYears
              : permittedLeaf(type, can, field.name);
        let text = `${sibling ? `${sibling.name} ` : ''}${fieldText(field, sample)}`;
        for (const step of [...steps].reverse())
          text = `${step.field.name}${argumentsText(step.field, sample)} { ${text} }`;
        const mutation = type === schema.getMutationType();
        const { body } = await app.gql(
          `${mutation ? 'mutation ' : ''}{ ${text} }`,
          {},
          bearer(keys[role]),
        );
        walked++;
        const where = [...steps.map((s) => s.field.name), field.name].join('.');
        if (!errorsWithCode(body, 'FORBIDDEN').some((e) => names(e.path) === where))
          failures.push(
            `${label}: no FORBIDDEN at ${where}: ${JSON.stringify(body).slice(0, 300)}`,
          );
        if (!body.data) {
          failures.push(`${label}: the refusal nulled the whole answer`);
          continue;
        }
        // every parent object along the way is still there, carrying the permitted sibling
        const parents = steps.reduce<unknown[]>(
          (objects, s) =>
            objects.flatMap((o) => {
              const v = (o as Record<string, unknown>)[s.field.name];
              return Array.isArray(v) ? v : [v];
            }),
          [body.data],
        );
        if (parents.length === 0 || parents.some((p) => p === null || p === undefined))
          failures.push(
            `${label}: a parent along ${where} was nulled: ${JSON.stringify(body.data).slice(0, 300)}`,
          );
        for (const p of parents as Record<string, unknown>[]) {
          if (p && field.name in p && p[field.name] !== null)
            failures.push(`${label}: the refused field carried a value`);
          if (
            p &&
            sibling &&
            (p[sibling.name] === undefined || p[sibling.name] === null) &&
            isNonNullType(sibling.type)
          )
            failures.push(`${label}: the permitted ${sibling.name} was lost`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(walked).toBeGreaterThan(30);
  }, 300_000);

  it('does not let node() lookups bypass the scopes', async () => {
    const id = encodeGlobalID('Enterprise', uscc);
    const profile = `query ($id: ID!) { node(id: $id) { ... on Enterprise { name taxPayments { totalCount } } } }`;
    const dashboard = await app.gql(profile, { id }, bearer(keys.dashboard));
    expect(errorsWithCode(dashboard.body, 'FORBIDDEN').map((e) => names(e.path))).toEqual(['node']);
    expect(dashboard.body.data.node).toBeNull();

    const tax = await app.gql(profile, { id }, bearer(keys.tax));
    expect(tax.body.errors).toBeUndefined();
    expect(tax.body.data.node.name).toBeTruthy();
    expect(tax.body.data.node.taxPayments.totalCount).toBeGreaterThan(0);

    const market = await app.gql(
      `query ($id: ID!) { node(id: $id) { ... on Enterprise { penalties { decisionNo } } } }`,
      { id },
      bearer(keys.tax),
    );
    expect(errorsWithCode(market.body, 'FORBIDDEN').map((e) => names(e.path))).toEqual([
      'node.penalties',
    ]);
    expect(errorsWithCode(market.body, 'FORBIDDEN')[0].message).toMatch(
      /角色「tax」无权读取 Enterprise\.penalties（需要 department market）/,
    );
  });

  it('keeps each department’s detail to that department (and analyst, admin), the audit log to admin', async () => {
    const query = (selection: string) =>
      `query ($uscc: String!) { enterprise(uscc: $uscc) { uscc ${selection} } }`;
    const detail: [string, Role][] = [
      ['taxPayments { totalCount }', 'tax'],
      ['penalties { decisionNo }', 'market'],
      ['parcels { unitNo }', 'natural-resources'],
      ['powerAccounts(year: 2024) { accountNo }', 'power'],
    ];
    for (const [selection, department] of detail) {
      for (const role of ROLES) {
        const { body } = await app.gql(query(selection), { uscc }, bearer(keys[role]));
        const served = role === department || role === 'analyst' || role === 'admin';
        if (served) expect(body.errors, `${role} ${selection}`).toBeUndefined();
        else
          expect(errorsWithCode(body, 'FORBIDDEN').length, `${role} ${selection}`).toBeGreaterThan(
            0,
          );
      }
    }
    const audit = `{ auditLog(first: 1) { edges { node { id } } } }`;
    for (const role of ROLES) {
      const { body } = await app.gql(audit, {}, bearer(keys[role]));
      expect(errorsWithCode(body, 'FORBIDDEN').length > 0, role).toBe(role !== 'admin');
    }
  });

  it('lets the dashboard role reach aggregate types only: no row of a department', () => {
    // every object type the dashboard role reaches through fields it may read; a type added to this
    // list is a decision about what the county leaders' screen may show
    const can = CAPABILITIES.dashboard;
    const reached = new Set<string>();
    const queue = [schema.getQueryType()!];
    while (queue.length) {
      const type = queue.shift()!;
      for (const field of Object.values(type.getFields())) {
        if (!allowedFor(type, field, can)) continue;
        const named = getNamedType(field.type);
        if (isObjectType(named) && !reached.has(named.name)) {
          reached.add(named.name);
          queue.push(named);
        }
      }
    }
    expect([...reached].sort()).toEqual([
      'AggregateGroup',
      'AwardSummary',
      'ClusterTarget',
      'CountyAggregates',
      'EvaluationYearStatus',
      'GradeDistribution',
      'IngestBatch',
      'MuTaxLeader',
      'SourceFreshness',
      'TownRevitalization',
      'TownSurcharge',
    ]);
  });

  it('keeps unmatched records (department rows) from the dashboard, and to each department its own', async () => {
    const query = (source?: string) =>
      `{ unmatchedRecords${source ? `(source: "${source}")` : ''} { totalCount nodes { id source name } } }`;
    const dashboard = await app.gql(query(), {}, bearer(keys.dashboard));
    expect(errorsWithCode(dashboard.body, 'FORBIDDEN').map((e) => names(e.path))).toEqual([
      'unmatchedRecords',
    ]);
    expect(dashboard.body.data.unmatchedRecords).toBeNull();
    // the seeded county's one unmatched record is a tax payment: tax and analyst see it, power not
    for (const role of ['tax', 'analyst', 'admin'] as const) {
      const { body } = await app.gql(query(), {}, bearer(keys[role]));
      expect(body.errors, role).toBeUndefined();
      expect(
        body.data.unmatchedRecords.nodes.map((n: { source: string }) => n.source),
        role,
      ).toContain('tax-payments');
    }
    const power = await app.gql(query(), {}, bearer(keys.power));
    expect(power.body.errors).toBeUndefined();
    expect(power.body.data.unmatchedRecords.totalCount).toBe(0);
    const asked = await app.gql(query('tax-payments'), {}, bearer(keys.power));
    expect(errorsWithCode(asked.body, 'FORBIDDEN')[0].message).toMatch(
      /power.*unmatchedRecords.*tax-payments/,
    );
  });

  it('gives the dashboard role the 亩均税收 ranking without the tax paid and land behind it', async () => {
    const leaders = `{ muAverageTaxLeaders(year: 2024) { rank name muAverageTaxYuan taxPaidYuan landAreaMu } }`;
    const dashboard = await app.gql(leaders, {}, bearer(keys.dashboard));
    const refused = new Set(errorsWithCode(dashboard.body, 'FORBIDDEN').map((e) => names(e.path)));
    expect([...refused].sort()).toEqual([
      'muAverageTaxLeaders.landAreaMu',
      'muAverageTaxLeaders.taxPaidYuan',
    ]);
    const rows = dashboard.body.data.muAverageTaxLeaders;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.name).toBeTruthy();
      expect(row.muAverageTaxYuan).toBeGreaterThan(0);
      expect([row.taxPaidYuan, row.landAreaMu]).toEqual([null, null]);
    }
    const tax = await app.gql(leaders, {}, bearer(keys.tax));
    expect(tax.body.errors).toBeUndefined();
    expect(tax.body.data.muAverageTaxLeaders[0].taxPaidYuan).toBeGreaterThan(0);
  });

  it('masks 法定代表人 for every role without personal data, and shows it to market and admin', async () => {
    const query = `query ($uscc: String!) { enterprise(uscc: $uscc) { legalRepresentative } }`;
    for (const role of ROLES) {
      const { body } = await app.gql(query, { uscc }, bearer(keys[role]));
      if (!CAPABILITIES[role].profile) {
        expect(errorsWithCode(body, 'FORBIDDEN')).toHaveLength(1);
        continue;
      }
      expect(body.errors, role).toBeUndefined();
      expect(body.data.enterprise.legalRepresentative, role).toBe(
        CAPABILITIES[role].personalData ? '张三' : '张*',
      );
    }
  });
});
