import { embeddedMetric } from '../lib/embedded-metric.ts';
/**
 * The refresh's memory, told to CloudWatch (review 24, R24-3): the function's Node side grows with the months of data
 * (1.6 GB of resident memory at 36 months of England, about 2.0 GB expected at 60), and nothing warned before the
 * function's memory ran out. The refresh logs the process's peak resident memory at the end of each run and writes it
 * as a metric, which infra/constructs/operations.ts alarms on well below the function's memory.
 */

/** Where the peak-memory metric goes; the memory alarm (infra/constructs/operations.ts) reads it. */
export const PEAK_RSS_METRIC = { namespace: 'SpOutcomes', name: 'RefreshPeakRss', dimension: 'FunctionName' } as const;

/**
 * The process's peak resident memory so far, in whole MB (getrusage's ru_maxrss, which Node gives in kilobytes). In
 * Lambda a warm instance's process serves one refresh after another, so this is the largest of them all since the
 * instance started: what the function's memory must hold.
 */
export function peakRssMb(usage: Pick<NodeJS.ResourceUsage, 'maxRSS'> = process.resourceUsage()): number {
  return Math.ceil(usage.maxRSS / 1024);
}

/** `RefreshPeakRss` (megabytes) for this function, at `at`: one Embedded Metric Format line (embeddedMetric). */
export function peakRssMetric(functionName: string, at: Date, megabytes: number): string {
  return embeddedMetric(PEAK_RSS_METRIC, functionName, at, megabytes, 'Megabytes');
}
