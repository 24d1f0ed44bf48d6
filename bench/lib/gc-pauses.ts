import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';

/** The garbage collector's pauses of this process while it was watched. */
export interface GcPauses {
  /** young-generation collections (scavenges): how many, their total and longest pause, ms */
  scavenges: number;
  scavengeMs: number;
  longestScavengeMs: number;
  /** full collections (mark-compact) and their total pause, ms */
  fullCollections: number;
  fullCollectionMs: number;
  /** every pause, incremental marking steps and weak callbacks included, ms */
  totalMs: number;
}

/**
 * Watches this process's garbage collections (the GC entries of perf_hooks: each one a pause of
 * the main thread, every request in flight waiting it out) until `stop`.
 */
export function watchGcPauses(): { stop(): GcPauses } {
  const pauses: GcPauses = {
    scavenges: 0,
    scavengeMs: 0,
    longestScavengeMs: 0,
    fullCollections: 0,
    fullCollectionMs: 0,
    totalMs: 0,
  };
  const count = (entries: PerformanceEntry[]) => {
    for (const entry of entries) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      pauses.totalMs += entry.duration;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        pauses.scavenges++;
        pauses.scavengeMs += entry.duration;
        pauses.longestScavengeMs = Math.max(pauses.longestScavengeMs, entry.duration);
      } else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        pauses.fullCollections++;
        pauses.fullCollectionMs += entry.duration;
      }
    }
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      // entries not yet delivered to the callback
      count(observer.takeRecords());
      observer.disconnect();
      return pauses;
    },
  };
}
