import { defineRelations } from 'drizzle-orm';
import * as ingest from './ingest.js';
import * as land from './land.js';
import * as market from './market.js';
import * as power from './power.js';
import * as powerView from './power-view.js';
import * as recognition from './recognition.js';
import * as tax from './tax.js';

/** Every table, keyed by its TypeScript name (the schema the relational query builder sees). */
export const tables = {
  ...market,
  ...tax,
  ...land,
  ...power,
  ...powerView,
  ...recognition,
  ...ingest,
};

/** How department records hang off the enterprise master: always through the resolved `uscc`. */
export const relations = defineRelations(tables, (r) => ({
  enterprises: {
    penalties: r.many.marketPenalties({ from: r.enterprises.uscc, to: r.marketPenalties.uscc }),
    taxPayments: r.many.taxPayments({ from: r.enterprises.uscc, to: r.taxPayments.uscc }),
    taxAnnual: r.many.taxAnnual({ from: r.enterprises.uscc, to: r.taxAnnual.uscc }),
    parcels: r.many.landParcels({ from: r.enterprises.uscc, to: r.landParcels.uscc }),
    leasesOut: r.many.landLeases({
      from: r.enterprises.uscc,
      to: r.landLeases.lessorUscc,
      alias: 'lessor',
    }),
    leasesIn: r.many.landLeases({
      from: r.enterprises.uscc,
      to: r.landLeases.lesseeUscc,
      alias: 'lessee',
    }),
    powerConsumption: r.many.powerConsumption({
      from: r.enterprises.uscc,
      to: r.powerConsumption.uscc,
    }),
    designations: r.many.designations({ from: r.enterprises.uscc, to: r.designations.uscc }),
    techProjects: r.many.techProjects({ from: r.enterprises.uscc, to: r.techProjects.uscc }),
  },
  marketPenalties: {
    enterprise: r.one.enterprises({ from: r.marketPenalties.uscc, to: r.enterprises.uscc }),
  },
  taxPayments: {
    enterprise: r.one.enterprises({ from: r.taxPayments.uscc, to: r.enterprises.uscc }),
  },
  taxAnnual: { enterprise: r.one.enterprises({ from: r.taxAnnual.uscc, to: r.enterprises.uscc }) },
  landParcels: {
    enterprise: r.one.enterprises({ from: r.landParcels.uscc, to: r.enterprises.uscc }),
  },
  landLeases: {
    lessor: r.one.enterprises({
      from: r.landLeases.lessorUscc,
      to: r.enterprises.uscc,
      alias: 'lessor',
    }),
    lessee: r.one.enterprises({
      from: r.landLeases.lesseeUscc,
      to: r.enterprises.uscc,
      alias: 'lessee',
    }),
  },
  powerConsumption: {
    enterprise: r.one.enterprises({ from: r.powerConsumption.uscc, to: r.enterprises.uscc }),
  },
  designations: {
    enterprise: r.one.enterprises({ from: r.designations.uscc, to: r.enterprises.uscc }),
  },
  techProjects: {
    enterprise: r.one.enterprises({ from: r.techProjects.uscc, to: r.enterprises.uscc }),
  },
}));
