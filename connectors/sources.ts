import { landLeasesSource } from './land/leases.js';
import { landParcelsSource } from './land/parcels.js';
import { marketPenaltiesSource } from './market/penalties.js';
import { marketRegistry } from './market/registry.js';
import { UnknownSourceError } from './pipeline/errors.js';
import { SOURCES, type SourceDefinition, type SourceName } from './pipeline/source.js';
import { powerSource } from './power/consumption.js';
import { designationsSource } from './recognition/designations.js';
import { techProjectsSource } from './recognition/tech-projects.js';
import { taxAnnualSource } from './tax/annual.js';
import { taxPaymentsSource } from './tax/payments.js';

/**
 * The definitions registry: every source's definition by name. Adding a department source is a
 * folder under connectors/ with its definition, its name and label in lib/source-labels.ts, its
 * entry here, and its table in db/ (with a migration).
 */
export const SOURCE_DEFINITIONS: Record<SourceName, SourceDefinition> = {
  'market-registry': marketRegistry,
  'market-penalties': marketPenaltiesSource,
  'tax-payments': taxPaymentsSource,
  'tax-annual': taxAnnualSource,
  'land-parcels': landParcelsSource,
  'land-leases': landLeasesSource,
  power: powerSource,
  designations: designationsSource,
  'tech-projects': techProjectsSource,
};

/** Every source's definition, in the order a full load runs them. */
export const SOURCE_LIST: readonly SourceDefinition[] = SOURCES.map((s) => SOURCE_DEFINITIONS[s]);

/** The sources whose records link to enterprises (all but the register). */
export const LINKED_SOURCES: readonly SourceDefinition[] = SOURCE_LIST.filter(
  (s) => s.parties.length > 0,
);

/** The definition of a source by name; {@link UnknownSourceError} for anything else. */
export function sourceDefinition(name: string): SourceDefinition {
  const definition = (SOURCE_DEFINITIONS as Record<string, SourceDefinition | undefined>)[name];
  if (!definition) throw new UnknownSourceError(name, SOURCES);
  return definition;
}
