import { DECIMALS } from '../lib/decimals.js';
import {
  type PowerAccount,
  type PowerRow,
  powerAccountsKey,
  sumDecimals,
} from '../resolvers/profile.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';
import { Provenance, provenanceOf } from './provenance.js';
import { selectsPath } from './selection.js';

/** 供电公司 detail: electricity accounts and their monthly readings. */
const power = { department: 'power' } as const;

const PowerMonthRef = builder.objectRef<PowerRow>('PowerMonth').implement({
  description: '月度用电量: one account’s consumption in one month (抄表年月).',
  authScopes: power,
  fields: (t) => ({
    month: t.field({
      type: 'Date',
      description: '抄表年月: the first day of the month',
      resolve: (m) => m.month,
    }),
    kwh: t.float({
      decimals: DECIMALS.kwh,
      description: '用电量 in 千瓦时 (kWh)',
      resolve: (m) => Number(m.kwh),
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the account was linked',
      // The months carry their provenance columns whenever this field is selected (powerAccounts).
      resolve: (m) => provenanceOf('power', m as Required<PowerRow>),
    }),
  }),
});

const PowerAccountRef = builder.objectRef<PowerAccount>('PowerAccount').implement({
  description:
    '用电户: one electricity account (用电户号) linked to the enterprise, with its monthly readings.',
  authScopes: power,
  fields: (t) => ({
    accountNo: t.exposeString('accountNo', { description: '用电户号: account number' }),
    accountName: t.exposeString('accountName', {
      nullable: true,
      description: '户名: account holder name of the latest month on record',
    }),
    totalKwh: t.float({
      decimals: DECIMALS.kwh,
      description: '用电量合计 in kWh over the months listed',
      resolve: (a) => Number(sumDecimals(a.months.map((m) => m.kwh))),
    }),
    months: t.field({
      type: [PowerMonthRef],
      description: '月度读数: the months on record, ascending',
      resolve: (a) => a.months,
    }),
  }),
});

interface PowerMonthTotal {
  month: string;
  kwh: string;
  accounts: number;
}

const PowerMonthTotalRef = builder.objectRef<PowerMonthTotal>('PowerMonthTotal').implement({
  description:
    '企业月度用电量: the enterprise’s consumption in one month, summed over its accounts.',
  authScopes: power,
  fields: (t) => ({
    month: t.field({
      type: 'Date',
      description: '抄表年月: the first day of the month',
      resolve: (m) => m.month,
    }),
    kwh: t.float({
      decimals: DECIMALS.kwh,
      description: '用电量 in kWh, Σ over the enterprise’s accounts',
      resolve: (m) => Number(m.kwh),
    }),
    accounts: t.exposeInt('accounts', {
      description: '户数: accounts with a reading in the month',
    }),
  }),
});

builder.drizzleObjectFields(Enterprise, (t) => ({
  powerAccounts: t.field({
    type: [PowerAccountRef],
    description: `用电户: electricity accounts linked to the enterprise, by 用电户号; \`year\` keeps the months of one year.${REFUSED}`,
    nullable: true,
    authScopes: power,
    args: {
      year: t.arg.int({
        required: false,
        description: '年度: only months of this year (抄表年月)',
      }),
    },
    resolve: (e, args, ctx, info) =>
      ctx.loaders.powerAccounts.load(
        powerAccountsKey(e.uscc, args.year, selectsPath(info, ['months', 'provenance'])),
      ),
  }),
  electricityByMonth: t.field({
    type: [PowerMonthTotalRef],
    description: `月度用电量: kWh in each month of \`year\` with a reading, summed over every linked account, months ascending.${REFUSED}`,
    nullable: true,
    authScopes: power,
    args: { year: t.arg.int({ required: true, description: '年度' }) },
    resolve: async (e, args, ctx) => {
      const accounts = await ctx.loaders.powerAccounts.load(`${e.uscc}|${args.year}`);
      const byMonth = new Map<string, PowerRow[]>();
      for (const a of accounts)
        for (const m of a.months) byMonth.set(m.month, [...(byMonth.get(m.month) ?? []), m]);
      return [...byMonth.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([month, rows]) => ({
          month,
          kwh: sumDecimals(rows.map((r) => r.kwh)),
          accounts: rows.length,
        }));
    },
  }),
}));
