import type { Context } from '../resolvers/context.js';
import { builder } from './builder.js';
import { Enterprise } from './enterprise.js';

/**
 * 张三 → 张*, 欧阳娜娜 → 欧***: the first character, then one * for each further character; a name
 * of one character (a 法定代表人 recorded by surname, or a damaged record) is all hidden: 张 → *.
 */
export function maskPersonalName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * 法定代表人 is personal data: shown in full only to roles with personal-data access (market,
 * admin), and then recorded in the audit log; every other role reading the profile gets the
 * masked form — a value, not an error, so that the profile reads the same for everyone.
 */
function legalRepresentative(
  enterprise: { uscc: string; legalRepresentative: string | null },
  ctx: Context,
): string | null {
  const name = enterprise.legalRepresentative;
  if (name === null || name.trim() === '') return null;
  if (!ctx.viewer.can.personalData) return maskPersonalName(name);
  ctx.audit.record('Enterprise.legalRepresentative', enterprise.uscc);
  return name.trim();
}

builder.drizzleObjectField(Enterprise, 'legalRepresentative', (t) =>
  t.string({
    nullable: true,
    select: { columns: { legalRepresentative: true } },
    authScopes: { profile: true },
    description:
      '法定代表人: the legal representative (personal data). In full for roles with personal-data access (market, admin), each such read recorded in the audit log; for other roles masked as 张* (first character, then * per further character). Null when the register has none.',
    resolve: (enterprise, _args, ctx) => legalRepresentative(enterprise, ctx),
  }),
);
