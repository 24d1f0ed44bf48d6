import { checkYear } from '../lib/year.js';
import { evaluableYears, type YearStatus, yearStatus } from '../resolvers/evaluable-years.js';
import { builder } from './builder.js';

/** Which years are graded is county-level information, like the grade counts. */
const aggregates = { aggregates: true } as const;

const EvaluationYearStatus = builder.objectRef<YearStatus>('EvaluationYearStatus').implement({
  description:
    '评价年度状态: whether a year is evaluated (docs/evaluation-years.md): it must have ended and its tax payments and annual returns must be loaded.',
  authScopes: aggregates,
  fields: (t) => ({
    year: t.exposeInt('year', { description: '年度' }),
    evaluable: t.exposeBoolean('evaluable', {
      description:
        '可评价: true when the year has ended and its data is in; otherwise no one is graded for it',
    }),
    reasons: t.exposeStringList('reasons', {
      description:
        '不评价原因: why not (年度未结束, or which department’s data is missing); empty when evaluable',
    }),
  }),
});

builder.queryFields((t) => ({
  evaluableYears: t.intList({
    authScopes: aggregates,
    description:
      '可评价年度: the years that are evaluated, latest first — ended, with tax payments and annual returns loaded. The dashboard offers only these.',
    resolve: (_root, _args, ctx) => evaluableYears(ctx.database),
  }),
  evaluationYear: t.field({
    type: EvaluationYearStatus,
    authScopes: aggregates,
    description: '评价年度状态: whether `year` is evaluated, and if not, why.',
    args: { year: t.arg.int({ required: true, description: '年度' }) },
    resolve: (_root, args, ctx) => yearStatus(ctx.database, checkYear(args.year)),
  }),
}));
