/**
 * What the rest of the platform may use of the connectors: the sources and their definitions,
 * loading files and records, the records that link to no enterprise, and the power company's API.
 * Resolvers, schema, server and CLI import from here only (biome.json: noRestrictedImports); the
 * pipeline's and the departments' own modules stay free to change behind it.
 */
export { normaliseHeader } from './pipeline/columns.js';
export { IngestError } from './pipeline/errors.js';
export { type BatchReport, ingestFile, ingestManifest } from './pipeline/ingest.js';
export {
  isSourceName,
  SOURCES,
  type SourceDefinition,
  type SourceName,
} from './pipeline/source.js';
export { createPowerApiClient, DEFAULT_RETRY, PowerApiAuthError } from './power/api.js';
export {
  DEFAULT_PAGE_SIZE,
  type MonthReport,
  monthsBetween,
  type PullReport,
  pullPower,
} from './power/pull.js';
export { SOURCE_DEFINITIONS, SOURCE_LIST } from './sources.js';
export {
  linkRecord,
  listUnmatched,
  type UnmatchedPage,
  type UnmatchedRecord,
} from './unmatched.js';
