import { describe, expect, it } from 'vitest';
import { PEAK_RSS_METRIC, peakRssMb, peakRssMetric } from '../../functions/refresh/peak-memory.ts';

describe("the refresh's peak memory (review 24, R24-3)", () => {
  it("is getrusage's ru_maxrss (kilobytes) in whole MB, rounded up: never under the peak", () => {
    // 1,048,576 kB = 1,024 MB exactly; one kB more is part of the 1,025th MB; 3,145,728 kB = 3,072 MB, the alarm's line.
    expect(peakRssMb({ maxRSS: 1_048_576 })).toBe(1024);
    expect(peakRssMb({ maxRSS: 1_048_577 })).toBe(1025);
    expect(peakRssMb({ maxRSS: 3_145_728 })).toBe(3072);
    expect(peakRssMb()).toBe(Math.ceil(process.resourceUsage().maxRSS / 1024));
  });

  it('is one Embedded Metric Format line: RefreshPeakRss in Megabytes for the function, at the time given', () => {
    const line = peakRssMetric('sp-outcomes-pipeline-refresh', new Date('2026-12-06T06:04:05.000Z'), 1656);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      _aws: {
        Timestamp: 1_796_537_045_000, // 2026-12-06T06:04:05Z in ms since 1970
        CloudWatchMetrics: [
          {
            Namespace: 'SpOutcomes',
            Dimensions: [['FunctionName']],
            Metrics: [{ Name: 'RefreshPeakRss', Unit: 'Megabytes' }],
          },
        ],
      },
      FunctionName: 'sp-outcomes-pipeline-refresh',
      RefreshPeakRss: 1656,
    });
    // The names infra/constructs/operations.ts's RefreshMemoryHigh alarm reads (test/unit/infra.test.ts).
    expect(PEAK_RSS_METRIC).toEqual({ namespace: 'SpOutcomes', name: 'RefreshPeakRss', dimension: 'FunctionName' });
  });
});
