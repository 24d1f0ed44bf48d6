import { copyLine } from './copy-text.js';
import type { Session } from './session.js';
import type { PartyColumns, SourceDefinition } from './source.js';

/**
 * Entity resolution (docs/sources.md, "Identifiers and entity resolution"), set-based in SQL so that the
 * load of a file and the re-resolution after a register change apply the very same rules:
 * - an identifier of 18 characters (a valid USCC; invalid ones never get here) → that enterprise, or
 *   unmatched "not registered";
 * - an identifier of 15 characters (a legacy tax number) → the one enterprise whose USCC characters
 *   9–17 equal its last 9, else unmatched (none or several);
 * - no identifier → the one enterprise with that normalised current name; if no current name
 *   matches, the one enterprise with that former name; else unmatched (none or several).
 * Each kind is decided by its own rule alone: no fall-through from identifier to name.
 */
export interface Resolution {
  uscc: string | null;
  /** uscc, legacy, name, former_name (manual comes from manual_links) */
  method: string | null;
  reason: string | null;
  candidates: string[] | null;
}

/** The identity a record is resolved by: its identifier, or (only when it has none) its normalised name. */
export interface Identity {
  ident: string;
  nameNorm: string;
}

/** Identities compare by identifier alone when there is one. */
export const identityKey = (ident: string, nameNorm: string) =>
  ident ? `#${ident}` : `=${nameNorm}`;

const IDS_TABLE = 'edp_ids';

/**
 * The resolution of every identity in `edp_ids (ident, name_norm)`: one row per distinct identity
 * with uscc, method, reason and candidates.
 */
const RESOLVE_SQL = `
with ids as (select distinct ident, name_norm from ${IDS_TABLE}),
by_uscc as (
  select i.ident, e.uscc from ids i join enterprises e on e.uscc = i.ident where length(i.ident) = 18),
by_org as (
  select i.ident, array_agg(distinct e.uscc::text order by e.uscc::text) as c
  from ids i join enterprises e on substr(e.uscc, 9, 9) = substr(i.ident, 7, 9)
  where length(i.ident) = 15 group by i.ident),
by_name as (
  select i.name_norm, array_agg(distinct e.uscc::text order by e.uscc::text) as c
  from ids i join enterprises e on e.name_norm = i.name_norm
  where i.ident = '' group by i.name_norm),
formers as (
  select distinct e.uscc, f.name from enterprises e cross join lateral unnest(e.former_names_norm) as f(name)),
by_former as (
  select i.name_norm, array_agg(distinct f.uscc::text order by f.uscc::text) as c
  from ids i join formers f on f.name = i.name_norm
  where i.ident = '' group by i.name_norm)
select i.ident, i.name_norm,
  case
    when length(i.ident) = 18 then u.uscc
    when length(i.ident) = 15 then case when cardinality(o.c) = 1 then o.c[1] end
    when cardinality(n.c) = 1 then n.c[1]
    when n.c is null and cardinality(f.c) = 1 then f.c[1]
  end as uscc,
  case
    when length(i.ident) = 18 then case when u.uscc is not null then 'uscc' end
    when length(i.ident) = 15 then case when cardinality(o.c) = 1 then 'legacy' end
    when cardinality(n.c) = 1 then 'name'
    when n.c is null and cardinality(f.c) = 1 then 'former_name'
  end as method,
  case
    when length(i.ident) = 18 then case when u.uscc is null then
      '未登记：企业登记中没有统一社会信用代码为 ' || i.ident || ' 的企业' end
    when length(i.ident) = 15 then case
      when o.c is null then '未登记：企业登记中没有统一社会信用代码含组织机构代码 '
        || substr(i.ident, 7, 9) || ' 的企业（旧税务登记号 ' || i.ident || '）'
      when cardinality(o.c) > 1 then '无法确定：旧税务登记号 ' || i.ident || ' 对应 '
        || cardinality(o.c) || ' 家登记企业' end
    when cardinality(n.c) > 1 then '无法确定：' || cardinality(n.c) || ' 家登记企业同名'
    when n.c is null and f.c is null then '名称不明：没有登记企业以此为名称或曾用名'
    when n.c is null and cardinality(f.c) > 1 then '无法确定：此名称是 '
      || cardinality(f.c) || ' 家登记企业的曾用名'
  end as reason,
  case
    when length(i.ident) = 15 and cardinality(o.c) > 1 then o.c
    when i.ident = '' and cardinality(n.c) > 1 then n.c
    when i.ident = '' and n.c is null and cardinality(f.c) > 1 then f.c
  end::text[] as candidates
from ids i
left join by_uscc u on u.ident = i.ident
left join by_org o on o.ident = i.ident
left join by_name n on i.ident = '' and n.name_norm = i.name_norm
left join by_former f on i.ident = '' and f.name_norm = i.name_norm`;

async function ensureIdsTable(session: Session) {
  await session.query(
    `create temp table if not exists ${IDS_TABLE} (ident text not null, name_norm text not null) on commit drop`,
  );
  await session.query(`truncate ${IDS_TABLE}`);
}

/**
 * Set-based resolution of the identities in `table`'s columns `ident` and `name_norm` ('' when none):
 * fills the identities table and returns the SQL of the resolutions, a relation of (ident, name_norm,
 * uscc, method, reason, candidates) to join back on (ident, name_norm when ident is '' else '').
 */
export async function resolutionsOf(session: Session, table: string): Promise<string> {
  await ensureIdsTable(session);
  await session.query(
    `insert into ${IDS_TABLE} select distinct ident, case when ident = '' then name_norm else '' end from ${table}`,
  );
  await session.query(`analyze ${IDS_TABLE}`); // thousands of identities: hash joins, not nested loops
  return RESOLVE_SQL;
}

/** Resolves identities against the register as it stands in this transaction. */
export async function resolveIdentities(
  session: Session,
  identities: Identity[],
): Promise<Map<string, Resolution>> {
  const resolved = new Map<string, Resolution>();
  if (identities.length === 0) return resolved;
  await ensureIdsTable(session);
  await session.copyIn(
    IDS_TABLE,
    ['ident', 'name_norm'],
    identities.map((i) => copyLine([i.ident, i.ident ? '' : i.nameNorm])).join(''),
  );
  const rows = await session.query<Resolution & { ident: string; name_norm: string }>(RESOLVE_SQL);
  for (const row of rows) {
    resolved.set(identityKey(row.ident, row.name_norm), {
      uscc: row.uscc,
      method: row.method,
      reason: row.reason,
      candidates: row.candidates,
    });
  }
  return resolved;
}

/**
 * The identifier as resolution sees it, from the stored raw identifier: NFKC, no white space, upper
 * case (the same as `RowView.party` computes when loading).
 */
const identSql = (column: string) =>
  `coalesce(upper(regexp_replace(normalize(${column}, NFKC), '\\s+', '', 'g')), '')`;

/** Resolves again the records of one party of one table that were not linked by USCC or by hand. */
async function reresolveParty(session: Session, table: string, p: PartyColumns): Promise<number> {
  const open = (alias: string) =>
    `coalesce(${alias}${p.matchMethod}, '') not in ('uscc', 'manual')`;
  const ident = identSql(p.rawIdentifier);
  await ensureIdsTable(session);
  await session.query(
    `insert into ${IDS_TABLE} select distinct ${ident}, case when ${ident} = '' then coalesce(${p.nameNorm}, '') else '' end from ${table} where ${open('')}`,
  );
  return session.execute(`
    update ${table} t set ${p.uscc} = r.uscc, ${p.matchMethod} = r.method, ${p.matchReason} = r.reason, ${p.matchCandidates} = r.candidates
    from (${RESOLVE_SQL}) r
    where ${open('t.')}
      and r.ident = ${identSql(`t.${p.rawIdentifier}`)}
      and r.name_norm = case when r.ident = '' then coalesce(t.${p.nameNorm}, '') else '' end
      and (t.${p.uscc}, t.${p.matchMethod}, t.${p.matchReason}, t.${p.matchCandidates})
        is distinct from (r.uscc, r.method, r.reason, r.candidates)`);
}

/**
 * After the register changed: every record not linked by USCC or by hand is resolved again, set-based,
 * in the caller's transaction. Returns how many records changed their link.
 */
export async function reresolveAll(
  session: Session,
  sources: readonly SourceDefinition[],
): Promise<number> {
  let changed = 0;
  for (const source of sources) {
    for (const party of source.parties)
      changed += await reresolveParty(session, source.store?.linkTable ?? source.table, party);
  }
  return changed;
}
