import type { Database } from '../db/client.js';
import { didYouMean } from '../lib/names.js';
import { LinkError } from './pipeline/errors.js';
import { autocommitSession, inTransaction } from './pipeline/session.js';
import { isSourceName, type PartyColumns, type SourceDefinition } from './pipeline/source.js';
import { LINKED_SOURCES } from './sources.js';

/**
 * A record kept in its table that links to no enterprise, or to several (docs/interface.md UnmatchedRecord).
 * Its id is stable across reloads: `<source>:<natural key>`, with `#lessor` / `#lessee` for a lease's
 * party, e.g. `tax-payments:T2024031200017`, `power:3708300012|2024-03`, `land-leases:ZL-2024-003#lessee`.
 */
export interface UnmatchedRecord {
  id: string;
  source: string;
  /** the identifier as delivered, if any */
  identifier: string | null;
  /** the name as delivered, if any */
  name: string | null;
  reason: string;
  /** USCCs of the enterprises it matched when it matched several */
  candidates: string[];
  /** the enterprise an operator linked it to (set in linkRecord's answer) */
  linkedTo: string | null;
}

export interface UnmatchedPage {
  records: UnmatchedRecord[];
  hasNextPage: boolean;
  /** the id of the last record (the cursor for `after`) */
  endCursor: string | null;
  totalCount: number;
}

interface RecordRef {
  source: SourceDefinition;
  key: string;
  party: PartyColumns;
}

/** The id of a record: `<source>:<key>` plus `#<party>` for a lease's lessor or lessee. */
export const recordId = (source: string, key: string, party: string) =>
  `${source}:${key}${party ? `#${party}` : ''}`;

/** Reads a record id; {@link LinkError} when it names no source or party. */
export function parseRecordId(id: string): RecordRef {
  const colon = id.indexOf(':');
  const sourceName = colon > 0 ? id.slice(0, colon) : '';
  const source = LINKED_SOURCES.find((s) => s.name === sourceName);
  if (!isSourceName(sourceName) || !source)
    throw new LinkError(
      `"${id}" 不是记录编号（应写作 数据源:键，例如 tax-payments:T2024031200017）`,
    );
  let key = id.slice(colon + 1);
  let party = source.parties[0];
  if (source.parties.length > 1) {
    const hash = key.lastIndexOf('#');
    const found = source.parties.find((p) => p.party === key.slice(hash + 1));
    if (hash < 0 || !found)
      throw new LinkError(
        `"${id}"：${sourceName} 的记录编号须以 ${source.parties.map((p) => `#${p.party}`).join(' 或 ')} 结尾`,
      );
    party = found;
    key = key.slice(0, hash);
  }
  if (!key) throw new LinkError(`"${id}" 在 "${sourceName}:" 之后没有记录键`);
  return { source, key, party };
}

/** One SELECT per table and party of the records whose party is not linked. */
function unmatchedSelects(sources: readonly SourceDefinition[]) {
  return sources.flatMap((s) =>
    s.parties.map(
      (p) =>
        `select '${s.name}'::text as source, ${s.keySql('')} as record_key, '${p.party}'::text as party,
           ${p.rawIdentifier}::text as identifier, ${p.rawName} as name, ${p.matchReason} as reason,
           coalesce(${p.matchCandidates}, '{}')::text[] as candidates
         from ${s.table} where ${p.uscc} is null`,
    ),
  );
}

/**
 * Lists unmatched records (optionally of one source), ordered by source, then natural key, then party;
 * `first` (default 50, at most 1000) after the record id `after`.
 */
export async function listUnmatched(
  database: Database,
  options: {
    source?: string;
    /** only these sources (a role's own departments'); every linked source when absent */
    within?: readonly string[];
    first?: number;
    after?: string | null;
  } = {},
): Promise<UnmatchedPage> {
  const readable = options.within
    ? LINKED_SOURCES.filter((s) => options.within!.includes(s.name))
    : LINKED_SOURCES;
  const sources = options.source
    ? LINKED_SOURCES.filter((s) => s.name === options.source)
    : readable;
  if (options.source && sources.length === 0) {
    throw new LinkError(
      `未知数据源 "${options.source}"${didYouMean(
        options.source,
        LINKED_SOURCES.map((s) => s.name),
      )}；未匹配记录来自：${LINKED_SOURCES.map((s) => s.name).join('、')}`,
    );
  }
  const first = Math.min(Math.max(options.first ?? 50, 0), 1000);
  const after = options.after ? parseRecordId(options.after) : null;
  const union = unmatchedSelects(sources).join('\nunion all\n');
  const session = autocommitSession(database);
  const params: unknown[] = [first + 1];
  let where = '';
  if (after) {
    params.push(after.source.name, after.key, after.party.party);
    where = 'where (source, record_key, party) > ($2, $3, $4)';
  }
  const rows = await session.query<{
    source: string;
    record_key: string;
    party: string;
    identifier: string | null;
    name: string | null;
    reason: string | null;
    candidates: string[];
  }>(`select * from (${union}) u ${where} order by source, record_key, party limit $1`, params);
  const [{ total }] = await session.query<{ total: number }>(
    `select count(*)::int as total from (${union}) u`,
  );
  const records = rows.slice(0, first).map((r) => ({
    id: recordId(r.source, r.record_key, r.party),
    source: r.source,
    identifier: r.identifier,
    name: r.name,
    reason: r.reason ?? '未关联',
    candidates: r.candidates ?? [],
    linkedTo: null,
  }));
  return {
    records,
    hasNextPage: rows.length > first,
    endCursor: records.at(-1)?.id ?? null,
    totalCount: total,
  };
}

/** The first natural-key column's value inside a record key (the other parts never contain '|'). */
const leadingKeyPart = (source: SourceDefinition, key: string) => {
  const parts = key.split('|');
  return parts.slice(0, parts.length - (source.keyColumns.length - 1)).join('|');
};

/**
 * Links a record to a registered enterprise by hand: the link is kept in manual_links (keyed by the
 * record's natural key, so it survives reloads of the file and wins over every rule) and the record's
 * values count for that enterprise at once. Throws {@link LinkError} for an unknown record or USCC.
 */
export async function linkRecord(
  database: Database,
  id: string,
  uscc: string,
  linkedBy: string | null = null,
): Promise<UnmatchedRecord> {
  const { source, key, party } = parseRecordId(id.trim());
  const target = uscc.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  return inTransaction(database, async (session) => {
    const [enterprise] = await session.query(`select uscc from enterprises where uscc = $1`, [
      target,
    ]);
    if (!enterprise) throw new LinkError(`企业登记中没有统一社会信用代码为 ${target} 的企业`);
    const match = `${source.keyColumns[0]} = $1 and ${source.keySql('')} = $2`;
    const [record] = await session.query<{
      identifier: string | null;
      name: string | null;
      reason: string | null;
      uscc: string | null;
      candidates: string[] | null;
    }>(
      `select ${party.rawIdentifier}::text as identifier, ${party.rawName} as name, ${party.matchReason} as reason,
         ${party.uscc} as uscc, ${party.matchCandidates}::text[] as candidates
       from ${source.table} where ${match}`,
      [leadingKeyPart(source, key), key],
    );
    if (!record)
      throw new LinkError(`数据源 ${source.name} 中没有键为 "${key}" 的记录（编号 ${id}）`);
    await session.execute(
      `insert into manual_links (source, record_key, party, uscc, linked_by) values ($1, $2, $3, $4, $5)
       on conflict (source, record_key, party) do update set uscc = excluded.uscc, linked_by = excluded.linked_by, linked_at = now()`,
      [source.name, key, party.party, target, linkedBy],
    );
    await session.execute(
      `update ${source.table} set ${party.uscc} = $3, ${party.matchMethod} = 'manual', ${party.matchReason} = null,
         ${party.matchCandidates} = null where ${match}`,
      [leadingKeyPart(source, key), key, target],
    );
    return {
      id: recordId(source.name, key, party.party),
      source: source.name,
      identifier: record.identifier,
      name: record.name,
      reason: record.reason ?? (record.uscc ? `此前关联到 ${record.uscc}` : '未关联'),
      candidates: record.candidates ?? [],
      linkedTo: target,
    };
  });
}
