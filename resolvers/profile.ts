import DataLoader from 'dataloader';
import { and, asc, gte, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { landLeases, landParcels } from '../db/land.js';
import { powerConsumption } from '../db/power-view.js';
import { taxPayments } from '../db/tax.js';
import { fenText, sumDecimals, toFen } from '../lib/money.js';
import { ensureYearFigures } from './year-figures.js';

/**
 * The enterprise profile's per-department read paths that are not plain relations: monthly tax
 * sums, land in force on a date, power accounts. Each is a per-request DataLoader issuing one
 * statement per distinct argument (a year, a date), whatever the number of enterprises.
 */

/** A numeric column (string on both drivers) as a JS number; null stays null. */
export const decimal = (value: string | number | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Exact sums of numeric strings (lib/money.ts), used by the profile's types. */
export { sumDecimals } from '../lib/money.js';

/** Groups keys "uscc|arg" by their argument so that each distinct argument costs one statement. */
function byArgument(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const bar = key.indexOf('|');
    const arg = key.slice(bar + 1);
    const list = groups.get(arg) ?? [];
    list.push(key.slice(0, bar));
    groups.set(arg, list);
  }
  return groups;
}

const yearStart = (year: number) => `${String(year).padStart(4, '0')}-01-01`;

export interface TaxMonthRow {
  /** first day of the month (税款所属期) */
  month: string;
  taxType: string;
  /** Σ 实缴金额 in 元, numeric string; refunds count negative */
  amountYuan: string;
  payments: number;
}

export type TaxPaymentRow = typeof taxPayments.$inferSelect;
export type LandParcelRow = typeof landParcels.$inferSelect;
export type LandLeaseRow = typeof landLeases.$inferSelect;
/** The columns of a power reading that the profile's fields read (account, month, kWh, 户名). */
const powerReading = {
  uscc: powerConsumption.uscc,
  accountNo: powerConsumption.accountNo,
  month: powerConsumption.month,
  kwh: powerConsumption.kwh,
  rawName: powerConsumption.rawName,
};
/** The columns a reading's provenance reads: loaded only when provenance is asked for. */
const powerProvenance = {
  batchId: powerConsumption.batchId,
  loadedAt: powerConsumption.loadedAt,
  sourceRow: powerConsumption.sourceRow,
  matchMethod: powerConsumption.matchMethod,
  rawIdentifier: powerConsumption.rawIdentifier,
};
type PowerColumns = typeof powerConsumption.$inferSelect;
/** One month of one account; the provenance columns are there when the loader was asked for them. */
export type PowerRow = Pick<PowerColumns, keyof typeof powerReading> &
  Partial<Pick<PowerColumns, keyof typeof powerProvenance>>;

/** What is in force for one enterprise on one date (docs/metrics.md, land in use). */
export interface LandInUse {
  uscc: string;
  date: string;
  parcels: LandParcelRow[];
  leasesIn: LandLeaseRow[];
  leasesOut: LandLeaseRow[];
  /** Σ 宗地面积 of parcels held, m² (numeric string) */
  heldM2: string;
  leasedInM2: string;
  leasedOutM2: string;
  /** held − leased out + leased in, m²; null when nothing is in force */
  netM2: string | null;
}

export interface PowerAccount {
  accountNo: string;
  /** 户名 of the latest month on record */
  accountName: string | null;
  months: PowerRow[];
}

/** Parcels held on `date`: registered on or before it, not cancelled before it (注销日期 is the last day held). */
export const parcelInForce = (date: string) =>
  and(
    lte(landParcels.registeredOn, date),
    or(isNull(landParcels.cancelledOn), gte(landParcels.cancelledOn, date)),
  );

/** Leases in force on `date`: 起始日期 ≤ date ≤ 终止日期. */
export const leaseInForce = (date: string) =>
  and(lte(landLeases.startsOn, date), gte(landLeases.endsOn, date));

/** Adds a reading to its account, the last of `accounts` when it is the same (readings ordered by account, month). */
function addReading(accounts: PowerAccount[], r: PowerRow) {
  let account = accounts[accounts.length - 1];
  if (!account || account.accountNo !== r.accountNo) {
    account = { accountNo: r.accountNo, accountName: null, months: [] };
    accounts.push(account);
  }
  account.months.push(r);
  account.accountName = r.rawName ?? account.accountName;
}

/** The `powerAccounts` loader's key of one enterprise: "uscc|year" and `|provenance` when asked for. */
export const powerAccountsKey = (
  uscc: string,
  year: number | null | undefined,
  provenance: boolean,
) => `${uscc}|${year ?? ''}${provenance ? '|provenance' : ''}`;

/**
 * The readings the `powerAccounts` loader reads for one key, as a relation of the enterprise for
 * the relational query builder (`with: { powerConsumption: … }`): the same columns, months and
 * order, so that the enterprise's statement can read them too (primePowerAccounts).
 */
export function powerReadingsRelation(year: number | null | undefined, provenance: boolean) {
  const columns = Object.fromEntries(
    Object.keys(provenance ? { ...powerReading, ...powerProvenance } : powerReading).map((c) => [
      c,
      true as const,
    ]),
  );
  return {
    columns,
    ...(year == null
      ? {}
      : { where: { month: { gte: yearStart(year), lt: yearStart(year + 1) } } }),
    orderBy: { accountNo: 'asc', month: 'asc' } as const,
  };
}

/** Hands the loader the accounts of readings read with the enterprise (powerReadingsRelation). */
export function primePowerAccounts(
  loader: DataLoader<string, PowerAccount[]>,
  key: string,
  readings: PowerRow[],
) {
  const accounts: PowerAccount[] = [];
  for (const r of readings) addReading(accounts, r);
  loader.prime(key, accounts);
}

/** The profile loaders, made together on first use (Loaders, resolvers/loaders.ts). Keys are "uscc|argument". */
export function profileLoaders(database: Database) {
  const { db } = database;
  return {
    /** year → the data version its figures snapshot is at: checked (and refreshed) at most once per request. */
    yearFigures: new DataLoader<number, string>(async (years) =>
      Promise.all(years.map((y) => ensureYearFigures(database, y))),
    ),

    /** "uscc|year" → Σ 实缴金额 by month and 税种, months ascending. */
    taxByMonth: new DataLoader<string, TaxMonthRow[]>(async (keys) => {
      const out = new Map<string, TaxMonthRow[]>();
      for (const [year, usccs] of byArgument(keys)) {
        const y = Number(year);
        const rows = await db
          .select({
            uscc: taxPayments.uscc,
            month: taxPayments.period,
            taxType: taxPayments.taxType,
            amountYuan: sql<string>`sum(${taxPayments.amountYuan})::text`,
            payments: sql<number>`count(*)::int`,
          })
          .from(taxPayments)
          .where(
            and(
              inArray(taxPayments.uscc, usccs),
              gte(taxPayments.period, yearStart(y)),
              lt(taxPayments.period, yearStart(y + 1)),
            ),
          )
          .groupBy(taxPayments.uscc, taxPayments.period, taxPayments.taxType)
          .orderBy(asc(taxPayments.uscc), asc(taxPayments.period), asc(taxPayments.taxType));
        for (const r of rows) {
          const key = `${r.uscc}|${year}`;
          const list = out.get(key) ?? [];
          list.push({
            month: r.month,
            taxType: r.taxType,
            amountYuan: r.amountYuan,
            payments: Number(r.payments),
          });
          out.set(key, list);
        }
      }
      return keys.map((k) => out.get(k) ?? []);
    }),

    /** "uscc|year" (or "uscc|" for all years) → number of tax receipts (the taxPayments connection's totalCount). */
    taxPaymentCount: new DataLoader<string, number>(async (keys) => {
      const out = new Map<string, number>();
      for (const [year, usccs] of byArgument(keys)) {
        const inYear =
          year === ''
            ? undefined
            : and(
                gte(taxPayments.period, yearStart(Number(year))),
                lt(taxPayments.period, yearStart(Number(year) + 1)),
              );
        const rows = await db
          .select({ uscc: taxPayments.uscc, n: sql<number>`count(*)::int` })
          .from(taxPayments)
          .where(and(inArray(taxPayments.uscc, usccs), inYear))
          .groupBy(taxPayments.uscc);
        for (const r of rows) out.set(`${r.uscc}|${year}`, Number(r.n));
      }
      return keys.map((k) => out.get(k) ?? 0);
    }),

    /** "uscc|YYYY-MM-DD" → parcels and leases in force on that date with the m² arithmetic. */
    landInUse: new DataLoader<string, LandInUse>(async (keys) => {
      const out = new Map<string, LandInUse>();
      for (const [date, usccs] of byArgument(keys)) {
        const parcels = await db
          .select()
          .from(landParcels)
          .where(and(inArray(landParcels.uscc, usccs), parcelInForce(date)))
          .orderBy(asc(landParcels.unitNo), asc(landParcels.registeredOn));
        const leases = await db
          .select()
          .from(landLeases)
          .where(
            and(
              or(inArray(landLeases.lessorUscc, usccs), inArray(landLeases.lesseeUscc, usccs)),
              leaseInForce(date),
            ),
          )
          .orderBy(asc(landLeases.filingNo));
        for (const uscc of usccs) {
          const held = parcels.filter((p) => p.uscc === uscc);
          const leasesIn = leases.filter((l) => l.lesseeUscc === uscc);
          const leasesOut = leases.filter((l) => l.lessorUscc === uscc);
          const heldM2 = sumDecimals(held.map((p) => p.areaM2));
          const leasedInM2 = sumDecimals(leasesIn.map((l) => l.areaM2));
          const leasedOutM2 = sumDecimals(leasesOut.map((l) => l.areaM2));
          const any = held.length + leasesIn.length + leasesOut.length > 0;
          const netM2 = any
            ? fenText(toFen(heldM2) + toFen(leasedInM2) - toFen(leasedOutM2))
            : null;
          out.set(`${uscc}|${date}`, {
            uscc,
            date,
            parcels: held,
            leasesIn,
            leasesOut,
            heldM2,
            leasedInM2,
            leasedOutM2,
            netM2,
          });
        }
      }
      return keys.map((k) => out.get(k)!);
    }),

    /**
     * "uscc|year" (or "uscc|" for every month on record) → the enterprise's power accounts with
     * their months; "uscc|year|provenance" loads each month's provenance columns too.
     */
    powerAccounts: new DataLoader<string, PowerAccount[]>(async (keys) => {
      const out = new Map<string, PowerAccount[]>();
      for (const [argument, usccs] of byArgument(keys)) {
        const [year, provenance] = argument.split('|');
        const inYear =
          year === ''
            ? undefined
            : and(
                gte(powerConsumption.month, yearStart(Number(year))),
                lt(powerConsumption.month, yearStart(Number(year) + 1)),
              );
        const rows: PowerRow[] = await db
          .select(provenance ? { ...powerReading, ...powerProvenance } : powerReading)
          .from(powerConsumption)
          .where(and(inArray(powerConsumption.uscc, usccs), inYear))
          .orderBy(
            asc(powerConsumption.uscc),
            asc(powerConsumption.accountNo),
            asc(powerConsumption.month),
          );
        for (const r of rows) {
          const key = `${r.uscc}|${argument}`;
          const accounts = out.get(key) ?? [];
          addReading(accounts, r);
          out.set(key, accounts);
        }
      }
      return keys.map((k) => out.get(k) ?? []);
    }),
  };
}

export type ProfileLoaders = ReturnType<typeof profileLoaders>;
