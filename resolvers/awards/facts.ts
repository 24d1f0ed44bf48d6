import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { lastClosedYear } from './format.js';
import { foldedTypeSql } from './kinds/designation.js';
import type {
  DesignationFact,
  EnterpriseFact,
  FactNeed,
  Facts,
  GrantedFact,
  PartnerFact,
  TaxAnnualFact,
  TechProjectFact,
} from './types.js';

/**
 * Loads what the rules need about `usccs` in one statement per kind of record (at most five,
 * whatever the number of enterprises): the register entry, tax-annual returns, designations,
 * tech projects and, per attaching type, the partners attached to each as core factory with
 * their 年平均从业人数 of the latest year closed on or before `asOf`. Only linked records
 * (uscc not null) count. Where a year was delivered twice (by USCC and by name), the row
 * loaded last wins.
 */
export async function loadFacts(
  database: Database,
  usccs: readonly string[],
  asOf: string,
  needs: readonly FactNeed[],
): Promise<Map<string, Facts>> {
  const facts = new Map<string, Facts>(
    usccs.map((u) => [
      u,
      {
        enterprise: null,
        taxAnnual: [],
        designations: [],
        techProjects: [],
        partners: [],
        granted: [],
      },
    ]),
  );
  if (usccs.length === 0) return facts;
  const keys = sql.param([...usccs]);
  const need = (n: string) => needs.some((x) => x === n);
  const partnerTypes = [
    ...new Set(needs.flatMap((x) => (typeof x === 'object' ? [x.partnerType] : []))),
  ];

  // the awards approved rounds already hold travel with the register entry (one statement)
  const enterpriseRows = await database.rows<EnterpriseFact & { granted: string | null }>(sql`
    select e.uscc, e.name, e.town, e.status, e.established_on as "establishedOn", e.industry_division as "industryDivision",
      (select json_agg(json_build_object('code', l.code, 'project', l.project, 'ruleSet', l.rule_set,
          'clause', l.clause, 'roundId', l.round_id, 'roundAsOf', r.as_of, 'lineId', l.id) order by l.id)::text
        from award_round_lines l join award_rounds r on r.id = l.round_id where l.uscc = e.uscc) as granted
    from enterprises e where e.uscc = any(${keys}::text[])`);
  for (const { granted, ...row } of enterpriseRows) {
    const f = facts.get(row.uscc)!;
    f.enterprise = row;
    f.granted = granted ? (JSON.parse(granted) as GrantedFact[]) : [];
  }

  if (need('taxAnnual')) {
    const rows = await database.rows<TaxAnnualFact & { uscc: string }>(sql`
      select distinct on (t.uscc, t.year) t.uscc, t.year, t.revenue_yuan::text as "revenueYuan",
        t.software_revenue_yuan::text as "softwareRevenueYuan", t.employees
      from tax_annual t where t.uscc = any(${keys}::text[])
      order by t.uscc, t.year, t.loaded_at desc, t.batch_id desc`);
    for (const { uscc, ...row } of rows) facts.get(uscc)?.taxAnnual.push(row);
  }
  if (need('designations')) {
    const rows = await database.rows<DesignationFact & { uscc: string }>(sql`
      select d.uscc, ${foldedTypeSql('d')} as type, d.recognized_on as "recognizedOn", d.issuer, d.document_no as "documentNo"
      from designations d where d.uscc = any(${keys}::text[])
      order by d.uscc, d.recognized_on, d.type`);
    for (const { uscc, ...row } of rows) facts.get(uscc)?.designations.push(row);
  }
  if (need('techProjects')) {
    const rows = await database.rows<TechProjectFact & { uscc: string }>(sql`
      select p.uscc, p.project_no as "projectNo", p.project_name as "projectName", p.equipment_yuan::text as "equipmentYuan",
        p.software_yuan::text as "softwareYuan", p.accepted_on as "acceptedOn", p.already_supported as "alreadySupported"
      from tech_projects p where p.uscc = any(${keys}::text[])
      order by p.uscc, p.accepted_on nulls last, p.project_no`);
    for (const { uscc, ...row } of rows) facts.get(uscc)?.techProjects.push(row);
  }
  if (partnerTypes.length > 0) {
    const rows = await database.rows<PartnerFact & { core: string }>(sql`
      with attached as (
        select d.core_factory_uscc as core, d.uscc, ${foldedTypeSql('d')} as partner_type, min(d.recognized_on) as attached_on
        from designations d
        where d.core_factory_uscc = any(${keys}::text[]) and d.uscc is not null and d.uscc <> d.core_factory_uscc
          and ${foldedTypeSql('d')} = any(${sql.param(partnerTypes)}::text[])
        group by 1, 2, 3
      )
      select a.core, a.uscc, a.partner_type as "partnerType", a.attached_on as "attachedOn", e.name,
        e.industry_division as "industryDivision", t.year as "employeesYear", t.employees
      from attached a
      left join enterprises e on e.uscc = a.uscc
      left join lateral (
        select x.year, x.employees from tax_annual x
        where x.uscc = a.uscc and x.year <= ${lastClosedYear(asOf)}
        order by x.year desc, x.loaded_at desc, x.batch_id desc limit 1
      ) t on true
      order by a.core, a.attached_on, a.uscc`);
    for (const { core, ...partner } of rows) facts.get(core)?.partners.push(partner);
  }
  return facts;
}
