import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';

/** The county's clusters and the policy's targets: data (config/clusters.json), validated once. */
export const CLUSTERS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'config',
  'clusters.json',
);

const clusterSchema = z.object({
  /** the GraphQL enum value, e.g. AUTO_PARTS */
  id: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  /** e.g. 汽车零部件 */
  nameZh: z.string().min(1),
  /** the policy's chain, e.g. 高端装备 */
  chainZh: z.string().min(1),
  /** GB/T 4754-2017 code prefixes: a section letter and 2–4 digits */
  codePrefixes: z.array(z.string().regex(/^[A-T]\d{2,4}$/)).min(1),
  note: z.string().optional(),
});

const targetSchema = z.object({
  cluster: z.string(),
  year: z.number().int(),
  /** 营业收入 target in 元 */
  revenueYuan: z.number().positive(),
  labelZh: z.string().min(1),
  source: z.string().min(1),
});

const fileSchema = z
  .object({ clusters: z.array(clusterSchema).min(1), targets: z.array(targetSchema) })
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    const owners = new Map<string, string>();
    for (const c of file.clusters) {
      if (ids.has(c.id))
        ctx.addIssue({ code: 'custom', message: `cluster ${c.id} is defined twice` });
      ids.add(c.id);
      for (const p of c.codePrefixes) {
        const owner = owners.get(p);
        if (owner && owner !== c.id)
          ctx.addIssue({
            code: 'custom',
            message: `code prefix ${p} belongs to both ${owner} and ${c.id}`,
          });
        owners.set(p, c.id);
      }
    }
    for (const t of file.targets)
      if (!ids.has(t.cluster))
        ctx.addIssue({ code: 'custom', message: `target for unknown cluster ${t.cluster}` });
  });

export type Cluster = z.infer<typeof clusterSchema>;
export type ClusterTarget = z.infer<typeof targetSchema>;
export type ClusterFile = z.infer<typeof fileSchema>;

let loaded: ClusterFile | undefined;

/** The clusters and targets of config/clusters.json (read and validated on first use). */
export function clusterConfig(file = CLUSTERS_FILE): ClusterFile {
  if (file !== CLUSTERS_FILE) return fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  loaded ??= fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return loaded;
}

export const clusters = (): Cluster[] => clusterConfig().clusters;
export const clusterTargets = (): ClusterTarget[] => clusterConfig().targets;

/** Every (prefix, cluster) pair, longest prefix first: the first match is the enterprise's cluster. */
function prefixesLongestFirst(list: Cluster[]): { prefix: string; cluster: string }[] {
  return list
    .flatMap((c) => c.codePrefixes.map((prefix) => ({ prefix, cluster: c.id })))
    .sort((a, b) => b.prefix.length - a.prefix.length || a.prefix.localeCompare(b.prefix));
}

/** The cluster of a 行业代码 (longest matching prefix), or null. */
export function clusterOf(
  industryCode: string | null | undefined,
  list: Cluster[] = clusters(),
): string | null {
  if (!industryCode) return null;
  return prefixesLongestFirst(list).find((p) => industryCode.startsWith(p.prefix))?.cluster ?? null;
}

/** SQL: the cluster id of `code` (a 行业代码 column), null when in none. */
export function clusterCaseSql(
  code: SQL | SQL.Aliased | unknown,
  list: Cluster[] = clusters(),
): SQL {
  const whens = prefixesLongestFirst(list).map(
    (p) => sql`when ${code} like ${`${p.prefix}%`} then ${p.cluster}`,
  );
  return sql`(case ${sql.join(whens, sql` `)} end)`;
}

/**
 * SQL: `code` belongs to cluster `id` — one of its prefixes matches and no longer prefix of
 * another cluster does. Prefix LIKEs, so an index on the code in the "C" collation serves it.
 */
export function inClusterSql(code: unknown, id: string, list: Cluster[] = clusters()): SQL {
  const cluster = list.find((c) => c.id === id);
  if (!cluster) throw new RangeError(`unknown cluster ${id}`);
  const own = cluster.codePrefixes.map((p) => sql`${code} like ${`${p}%`}`);
  const longer = list
    .filter((c) => c.id !== id)
    .flatMap((c) => c.codePrefixes)
    .filter((other) =>
      cluster.codePrefixes.some((p) => other.startsWith(p) && other.length > p.length),
    );
  const excluded = longer.map((p) => sql`${code} like ${`${p}%`}`);
  const match = sql`(${sql.join(own, sql` or `)})`;
  return excluded.length ? sql`(${match} and not (${sql.join(excluded, sql` or `)}))` : match;
}
