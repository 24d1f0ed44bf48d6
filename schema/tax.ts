import { DECIMALS } from '../lib/decimals.js';
import { decimal, sumDecimals } from '../resolvers/profile.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';
import { PROVENANCE_COLUMNS, Provenance, provenanceOf } from './provenance.js';

/** 税务局 detail: 实缴税款 and annual returns. Visible to the tax department (and all-read roles). */
const tax = { department: 'tax' } as const;

export const TaxPayment = builder.drizzleObject('taxPayments', {
  name: 'TaxPayment',
  description:
    '实缴税款: one tax receipt (税票) — tax actually paid for one month and tax type (税务局).',
  authScopes: tax,
  // A list loads the columns its fields ask for (each field's `select`), and always the enterprise
  // (the audit names the enterprise of every receipt read).
  select: { columns: { uscc: true } },
  fields: (t) => ({
    receiptNo: t.exposeString('receiptNo', {
      description: '税票号码: tax receipt number (the natural key)',
    }),
    period: t.field({
      type: 'Date',
      description: '税款所属期: the first day of the month the tax is for',
      select: { columns: { period: true } },
      resolve: (p) => p.period,
    }),
    taxType: t.exposeString('taxType', { description: '税种: tax type, e.g. 增值税, 企业所得税' }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '实缴金额 in 元; negative for a refund (退税)',
      select: { columns: { amountYuan: true } },
      resolve: (p) => Number(p.amountYuan),
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the receipt was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (p) => provenanceOf('tax-payments', p),
    }),
  }),
});

export const TaxAnnualReturn = builder.drizzleObject('taxAnnual', {
  name: 'TaxAnnualReturn',
  description: '企业所得税年度申报: annual figures from the enterprise income-tax return (税务局).',
  authScopes: tax,
  select: { columns: { uscc: true } },
  fields: (t) => ({
    year: t.exposeInt('year', { description: '年度: the year the return is for' }),
    revenueYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description: '营业收入 in 元',
      select: { columns: { revenueYuan: true } },
      resolve: (r) => decimal(r.revenueYuan),
    }),
    softwareRevenueYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description: '软件业务收入 in 元 (an empty cell is 0)',
      select: { columns: { softwareRevenueYuan: true } },
      resolve: (r) => decimal(r.softwareRevenueYuan),
    }),
    rdExpenseYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description: '研发费用 in 元',
      select: { columns: { rdExpenseYuan: true } },
      resolve: (r) => decimal(r.rdExpenseYuan),
    }),
    employees: t.exposeInt('employees', {
      nullable: true,
      description: '年平均从业人数: average number of employees (persons)',
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the return was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (r) => provenanceOf('tax-annual', r),
    }),
  }),
});

interface TaxTypeAmount {
  taxType: string;
  amountYuan: string;
  payments: number;
}
interface TaxMonth {
  month: string;
  byTaxType: TaxTypeAmount[];
}

const TaxTypeAmountRef = builder.objectRef<TaxTypeAmount>('TaxTypeAmount').implement({
  description: '分税种实缴: tax paid in one month for one tax type (税种).',
  authScopes: tax,
  fields: (t) => ({
    taxType: t.exposeString('taxType', { description: '税种: tax type' }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      description: 'Σ 实缴金额 in 元 (refunds count negative)',
      resolve: (a) => Number(a.amountYuan),
    }),
    payments: t.exposeInt('payments', { description: '税票数: number of receipts summed' }),
  }),
});

const TaxMonthRef = builder.objectRef<TaxMonth>('TaxMonth').implement({
  description: '月度实缴税款: tax paid in one month (税款所属期), in total and by tax type.',
  authScopes: tax,
  fields: (t) => ({
    month: t.field({
      type: 'Date',
      description: '税款所属期: the first day of the month',
      resolve: (m) => m.month,
    }),
    totalYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '实缴税款合计 in 元: every tax type of the month (refunds count negative)',
      resolve: (m) => Number(sumDecimals(m.byTaxType.map((a) => a.amountYuan))),
    }),
    byTaxType: t.field({
      type: [TaxTypeAmountRef],
      description: '分税种: the month by 税种, alphabetical',
      resolve: (m) => m.byTaxType,
    }),
  }),
});

builder.drizzleObjectFields(Enterprise, (t) => ({
  taxPayments: t.relatedConnection(
    'taxPayments',
    {
      description: `实缴税款明细: tax receipts, newest month first; \`year\` keeps one year (税款所属期).${REFUSED}`,
      nullable: true,
      authScopes: tax,
      args: {
        year: t.arg.int({
          required: false,
          description: '年度: only receipts whose 税款所属期 falls in this year',
        }),
      },
      query: (args) => ({
        where: args.year
          ? { period: { gte: `${args.year}-01-01`, lt: `${args.year + 1}-01-01` } }
          : {},
        orderBy: { period: 'desc', receiptNo: 'asc' },
      }),
    },
    {
      // Counted by a loader: the plugin's own relation count does not render with this drizzle version.
      fields: (c) => ({
        totalCount: c.int({
          description: '税票数: receipts matching `year`, across all pages',
          authScopes: tax,
          // the plugin's connection shape carries the enterprise and the field's arguments
          resolve: ({ parent, args }, _args, ctx) =>
            ctx.loaders.taxPaymentCount.load(`${parent.uscc}|${args.year ?? ''}`),
        }),
      }),
    },
  ),
  taxAnnual: t.relation('taxAnnual', {
    description: `年度申报: the annual income-tax returns on record, newest year first.${REFUSED}`,
    nullable: true,
    authScopes: tax,
    query: { orderBy: { year: 'desc' } },
  }),
  taxByMonth: t.field({
    type: [TaxMonthRef],
    description: `月度实缴税款: tax paid in each month of \`year\` that has a receipt, by tax type, months ascending (元).${REFUSED}`,
    nullable: true,
    authScopes: tax,
    args: { year: t.arg.int({ required: true, description: '年度' }) },
    resolve: async (e, args, ctx) => {
      const rows = await ctx.loaders.taxByMonth.load(`${e.uscc}|${args.year}`);
      const months = new Map<string, TaxMonth>();
      for (const r of rows) {
        const m = months.get(r.month) ?? { month: r.month, byTaxType: [] };
        m.byTaxType.push({ taxType: r.taxType, amountYuan: r.amountYuan, payments: r.payments });
        months.set(r.month, m);
      }
      return [...months.values()];
    },
  }),
}));
