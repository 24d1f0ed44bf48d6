/**
 * Loaded with `--import` before a command the benchmarks run unchanged (e.g. the CLI's
 * `edp ingest`): when the process exits it appends its peak RSS in kilobytes to the file named by
 * EDP_PEAK_RSS_FILE, which the benchmark then reads.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.EDP_PEAK_RSS_FILE;
if (file) process.on('exit', () => appendFileSync(file, `${process.resourceUsage().maxRSS}\n`));
