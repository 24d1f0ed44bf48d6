/**
 * Loaded with `--import` before a command the benchmarks run unchanged (e.g. the CLI's
 * `edp ingest`): when the process exits it appends to the file named by EDP_PEAK_RSS_FILE a line
 * `cpu <microseconds>` (user + system) and a line with its peak RSS in kilobytes, which the
 * benchmark then reads. On a shared machine the CPU time says what the work cost, the wall
 * time how long it waited besides.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.EDP_PEAK_RSS_FILE;
if (file)
  process.on('exit', () => {
    const usage = process.resourceUsage();
    appendFileSync(file, `cpu ${usage.userCPUTime + usage.systemCPUTime}\n${usage.maxRSS}\n`);
  });
