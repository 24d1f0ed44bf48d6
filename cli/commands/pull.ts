import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import {
  createPowerApiClient,
  DEFAULT_PAGE_SIZE,
  DEFAULT_RETRY,
  type MonthReport,
  monthsBetween,
  PowerApiAuthError,
  type PullReport,
  pullPower,
} from '../../connectors/index.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { withDatabase } from '../shared.js';

interface PullPowerFlags {
  baseUrl: string;
  token?: string;
  from: string;
  to: string;
  pageSize: number;
  refresh?: boolean;
  timeout: number;
  maxAttempts: number;
  maxTime: number;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('须为不小于 1 的整数');
  return n;
}

function month(value: string): string {
  try {
    monthsBetween(value, value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  return value;
}

const COLUMNS = [
  'month',
  'status',
  'pages',
  'items',
  'read',
  'loaded',
  'replaced',
  'quarantined',
  'unmatched',
];

function summaryLines(months: MonthReport[]): string[] {
  const rows = months.map((m) =>
    [
      m.month,
      m.status,
      m.status === 'skipped' ? `${m.pages}` : `${m.pagesPulled}/${m.pages}`,
      m.total,
      m.rowsRead,
      m.rowsLoaded,
      m.rowsReplaced,
      m.rowsQuarantined,
      m.rowsUnmatched,
    ].map(String),
  );
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length)));
  return [COLUMNS, ...rows].map((r) =>
    r.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '),
  );
}

function totals(
  report: Pick<PullReport, 'months' | 'requests' | 'retries'>,
  elapsedMs: number,
): string {
  const sum = (key: keyof MonthReport) => report.months.reduce((s, m) => s + Number(m[key]), 0);
  const count = (status: MonthReport['status']) =>
    report.months.filter((m) => m.status === status).length;
  return (
    `${report.months.length} month(s): ${count('pulled')} pulled, ${count('resumed')} resumed, ${count('skipped')} skipped; ` +
    `${sum('pagesPulled')} page(s), ${sum('rowsRead')} rows read, ${sum('rowsLoaded')} loaded, ${sum('rowsReplaced')} replaced, ` +
    `${sum('rowsQuarantined')} quarantined, ${sum('rowsUnmatched')} unmatched; ` +
    `${report.requests} request(s), ${report.retries} retried, ${(elapsedMs / 1000).toFixed(1)} s`
  );
}

/** `edp pull power …`: months of consumption from the power company's API (docs/sources.md 4b). */
export function registerPull(program: Command) {
  const pull = program.command('pull').description('从部门接口拉取数据');
  pull
    .command('power')
    .description('从供电公司接口拉取月度用电量（kWh）；中断后再次运行从中断处继续')
    .requiredOption('--base-url <url>', '接口地址，例如 https://power.example.gov.cn')
    .option(
      '--token <token>',
      '供电公司发给的令牌（默认取环境变量 EDP_POWER_TOKEN，以免出现在进程列表中）',
    )
    .requiredOption('--from <YYYY-MM>', '起始月份', month)
    .requiredOption('--to <YYYY-MM>', '截止月份（含）', month)
    .option('--page-size <n>', '每页请求的条数', positiveInt, DEFAULT_PAGE_SIZE)
    .option('--refresh', '已拉全的月份也重新拉取')
    .option(
      '--timeout <seconds>',
      '单次请求的超时（秒）',
      positiveInt,
      DEFAULT_RETRY.timeoutMs / 1000,
    )
    .option('--max-attempts <n>', '每个请求最多尝试的次数', positiveInt, DEFAULT_RETRY.maxAttempts)
    .option(
      '--max-time <seconds>',
      '每个请求所有尝试与等待合计的时限（秒）',
      positiveInt,
      DEFAULT_RETRY.maxTotalMs / 1000,
    )
    .action(async (flags: PullPowerFlags) => {
      monthsBetween(flags.from, flags.to);
      await withDatabase(async (database, config) => {
        const logger = createLogger(config.logLevel);
        const tty = Boolean(process.stderr.isTTY);
        let bar: cliProgress.SingleBar | undefined;
        const client = createPowerApiClient({
          baseUrl: flags.baseUrl,
          token: powerToken(flags.token),
          retry: {
            timeoutMs: flags.timeout * 1000,
            maxAttempts: flags.maxAttempts,
            maxTotalMs: flags.maxTime * 1000,
          },
          onRetry: (e) => {
            if (tty) bar?.update({ retries: client.stats.retries + 1 });
            else
              logger.warn(
                { url: e.url, attempt: e.attempt, reason: e.reason, waitMs: e.waitMs },
                'power API: retrying',
              );
          },
        });
        const done: MonthReport[] = [];
        const started = Date.now();
        try {
          await pullPower(database, client, {
            from: flags.from,
            to: flags.to,
            refresh: flags.refresh,
            pageSize: flags.pageSize,
            onPage: ({ month: m, page, pages }) => {
              if (!tty) return;
              if (!bar) {
                bar = new cliProgress.SingleBar(
                  {
                    format: `${m} {bar} {value}/{total} pages | {retries} retries | {duration}s`,
                    hideCursor: true,
                  },
                  cliProgress.Presets.shades_classic,
                );
                bar.start(pages, 0, { retries: client.stats.retries });
              }
              bar.setTotal(pages);
              bar.update(page, { retries: client.stats.retries });
            },
            onMonth: (report) => {
              done.push(report);
              bar?.stop();
              bar = undefined;
              const line = `${report.month}: ${report.status}, ${report.pagesPulled} page(s) pulled of ${report.pages}, ${report.total} items, ${report.rowsLoaded} loaded, ${report.rowsQuarantined} quarantined, ${report.rowsUnmatched} unmatched`;
              if (tty) process.stderr.write(`${line}\n`);
              else logger.info({ ...report, batchIds: undefined }, 'power API: month done');
            },
          });
        } catch (error) {
          bar?.stop();
          if (done.length) process.stdout.write(`${summaryLines(done).join('\n')}\n`);
          const reason = error instanceof Error ? error.message : String(error);
          const hint =
            error instanceof PowerApiAuthError
              ? ''
              : '\nthe pages stored so far are kept: run the same command again to go on from there';
          throw new Error(`pull power stopped: ${reason}${hint}`, { cause: error });
        }
        process.stdout.write(
          `${summaryLines(done).join('\n')}\n${totals({ months: done, ...client.stats }, Date.now() - started)}\n`,
        );
      });
    });
}

/** The API token: the flag, else EDP_POWER_TOKEN (config precedence: flag, then environment). */
function powerToken(flag: string | undefined): string {
  const token = flag || loadConfig().powerToken;
  if (!token)
    throw new Error(
      "pull power needs the power company's token: pass --token or set EDP_POWER_TOKEN",
    );
  return token;
}
