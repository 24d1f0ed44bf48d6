import { type Command, InvalidArgumentError } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../../resolvers/keys.js';
import { isRole, ROLES, type Role } from '../../resolvers/roles.js';
import { withDatabase } from '../shared.js';

function role(value: string): Role {
  if (!isRole(value)) throw new InvalidArgumentError(`须为 ${ROLES.join('、')} 之一`);
  return value;
}

const when = (value: Date | string | null) =>
  value ? new Date(value).toISOString().slice(0, 16).replace('T', ' ') : '-';

/** `edp keys create|list|revoke`: API keys for department systems and people (docs/interface.md, authentication). */
export function registerKeys(program: Command) {
  const keys = program
    .command('keys')
    .description('管理 API 密钥（请求头 Authorization: Bearer <密钥>）');

  keys
    .command('create')
    .description('创建 API 密钥：密钥只显示这一次，平台只保存其摘要')
    .requiredOption('--name <name>', '持有者：某部门的系统或某个人')
    .requiredOption('--role <role>', `角色：${ROLES.join(', ')}`, role)
    .action(async (flags: { name: string; role: Role }) => {
      await withDatabase(async (database) => {
        const created = await createApiKey(database, flags);
        process.stdout.write(
          [
            `Created key ${created.id} (${created.prefix}…) for "${created.name}", role ${created.role}:`,
            '',
            `  ${created.key}`,
            '',
            'Store it now: it is not shown again. Send it as "Authorization: Bearer <key>".',
            '',
          ].join('\n'),
        );
      });
    });

  keys
    .command('list')
    .description('列出 API 密钥（不显示密钥本身）')
    .action(async () => {
      await withDatabase(async (database) => {
        const rows = await listApiKeys(database);
        const table = [
          ['id', 'prefix', 'role', 'created', 'last used', 'status', 'name'],
          ...rows.map((k) => [
            String(k.id),
            k.prefix,
            k.role,
            when(k.createdAt),
            when(k.lastUsedAt),
            k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active',
            k.name,
          ]),
        ];
        // the name goes last: CJK characters are two columns wide and would skew the padding
        const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
        for (const r of table)
          process.stdout.write(
            `${r
              .map((c, i) => c.padEnd(widths[i]))
              .join('  ')
              .trimEnd()}\n`,
          );
        if (rows.length === 0)
          process.stdout.write(
            '(no keys yet: `npm run edp -- keys create --name NAME --role ROLE`)\n',
          );
      });
    });

  keys
    .command('revoke')
    .description('按编号或前缀吊销密钥；运行中的服务在 EDP_KEY_CACHE_MS（5 秒）内开始拒绝它')
    .argument('<key>', '密钥编号或其前缀（edp_…）')
    .action(async (ref: string) => {
      await withDatabase(async (database) => {
        const row = await revokeApiKey(database, ref);
        process.stdout.write(
          `Revoked key ${row.id} (${row.prefix}…, "${row.name}", role ${row.role}) at ${when(row.revokedAt)} UTC.\n`,
        );
      });
    });
}
