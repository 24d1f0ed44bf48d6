import type { Database } from '../../db/client.js';
import { landLeases, landParcels } from '../../db/land.js';
import { enterprises } from '../../db/market.js';
import { powerConsumption } from '../../db/power-view.js';
import { taxAnnual, taxPayments } from '../../db/tax.js';

/** 10000/15 m² = 1 亩: parcels in tests are given in 亩 and stored in m². */
export const mu = (n: number) => ((n * 10000) / 15).toFixed(2);

/** A minimal registered enterprise (industrial, active, established 2010) for inserts in tests. */
export function enterpriseRow(
  uscc: string,
  name: string,
  extra: Partial<typeof enterprises.$inferInsert> = {},
) {
  return {
    uscc,
    name,
    nameNorm: name,
    status: '存续',
    establishedOn: '2010-01-01',
    industryCode: 'C3431',
    industrySection: 'C',
    industryDivision: 'C34',
    town: '中都街道',
    batchId: 1,
    ...extra,
  } satisfies typeof enterprises.$inferInsert;
}

/** Builds rows for a small county and inserts them in a few multi-row statements. */
export class CountySeed {
  enterprises: (typeof enterprises.$inferInsert)[] = [];
  parcels: (typeof landParcels.$inferInsert)[] = [];
  leases: (typeof landLeases.$inferInsert)[] = [];
  payments: (typeof taxPayments.$inferInsert)[] = [];
  annual: (typeof taxAnnual.$inferInsert)[] = [];
  power: (typeof powerConsumption.$inferInsert)[] = [];
  private seq = 0;

  enterprise(uscc: string, name: string, extra: Partial<typeof enterprises.$inferInsert> = {}) {
    this.enterprises.push(enterpriseRow(uscc, name, extra));
    return this;
  }
  /** a parcel of `areaMu` 亩 held from `from` until `until` (inclusive; null while held) */
  parcel(uscc: string, areaMu: number, from: string, until: string | null = null) {
    this.parcels.push({
      unitNo: `U${++this.seq}`,
      registeredOn: from,
      cancelledOn: until,
      areaM2: mu(areaMu),
      uscc,
      batchId: 1,
    });
    return this;
  }
  /** a lease of `areaMu` 亩 of `unitNo` from `lessor` to `lessee`, in force from `from` to `until` (inclusive) */
  lease(
    lessor: string,
    lessee: string,
    unitNo: string,
    areaMu: number,
    from: string,
    until: string,
  ) {
    this.leases.push({
      filingNo: `L${++this.seq}`,
      lessorUscc: lessor,
      lessorIdentifier: lessor,
      lesseeUscc: lessee,
      lesseeIdentifier: lessee,
      unitNo,
      areaM2: mu(areaMu),
      startsOn: from,
      endsOn: until,
      batchId: 1,
    });
    return this;
  }
  /** the unit number of the parcel added last */
  get lastUnitNo(): string {
    return this.parcels[this.parcels.length - 1].unitNo;
  }
  /** one payment of `yuan` in June of `year` */
  tax(uscc: string, year: number, yuan: number, taxType = '增值税') {
    this.payments.push({
      receiptNo: `R${++this.seq}`,
      uscc,
      period: `${year}-06-01`,
      taxType,
      amountYuan: yuan.toFixed(2),
      batchId: 1,
    });
    return this;
  }
  annualReturn(
    uscc: string,
    year: number,
    figures: { revenue?: number; rd?: number; employees?: number; software?: number },
  ) {
    this.annual.push({
      identityKey: uscc,
      year,
      uscc,
      revenueYuan: figures.revenue?.toFixed(2),
      rdExpenseYuan: figures.rd?.toFixed(2),
      employees: figures.employees,
      softwareRevenueYuan: figures.software?.toFixed(2),
      batchId: 1,
    });
    return this;
  }
  /** a reading of `kwh` on account `accountNo` in the month (YYYY-MM) */
  reading(
    uscc: string,
    accountNo: string,
    month: string,
    kwh: number,
    accountName = `户${accountNo}`,
  ) {
    this.power.push({
      accountNo,
      month: `${month}-01`,
      uscc,
      rawName: accountName,
      kwh: kwh.toFixed(2),
      batchId: 1,
    });
    return this;
  }

  async insert(database: Database) {
    const { db } = database;
    for (const [table, rows] of [
      [enterprises, this.enterprises],
      [landParcels, this.parcels],
      [landLeases, this.leases],
      [taxPayments, this.payments],
      [taxAnnual, this.annual],
      [powerConsumption, this.power],
    ] as const) {
      for (let i = 0; i < rows.length; i += 1000)
        await db.insert(table as any).values(rows.slice(i, i + 1000) as any);
    }
  }
}
