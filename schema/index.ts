import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder.js';
import './enterprise.js';
import './legal-representative.js';
import './audit.js';
import './metrics.js';
import './mu-efficiency.js';
import './allocation.js';
import './evaluation-run.js';
import './award.js';
import './award-round.js';
import './tax.js';
import './land.js';
import './land-revitalization.js';
import './power.js';
import './market.js';
import './recognition.js';
import './enterprise-filter.js';
import './aggregates.js';
import './leaders.js';
import './ingest-batch.js';
import './unmatched-record.js';
import './quarantine.js';
import './evaluation-years.js';

builder.queryType({ description: '汶上县企业大数据平台 — the county enterprise data platform.' });
builder.mutationType({ description: '操作: operator actions (administrators only).' });

/** The executable schema. */
export const schema = builder.toSchema();

/** The SDL committed as schema.graphql (scripts/print-schema.ts). */
export const printedSchema = () => printSchema(lexicographicSortSchema(schema));
