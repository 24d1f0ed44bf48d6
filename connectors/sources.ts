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

/** Every source's definition by name (docs/interface.md's nine). */
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

/** The sources whose records link to enterprises (all but the register). */
export const LINKED_SOURCES: readonly SourceDefinition[] = SOURCES.map(
  (s) => SOURCE_DEFINITIONS[s],
).filter((s) => s.parties.length > 0);

/** The definition of a source by name; {@link UnknownSourceError} for anything else. */
export function sourceDefinition(name: string): SourceDefinition {
  const definition = (SOURCE_DEFINITIONS as Record<string, SourceDefinition | undefined>)[name];
  if (!definition) throw new UnknownSourceError(name, SOURCES);
  return definition;
}
