/** A metric the functions write as CloudWatch Embedded Metric Format lines (namespace, name, one dimension). */
export interface EmbeddedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimension: string;
}

/**
 * One CloudWatch Embedded Metric Format document: `metric` = `value` for this function, at `at`. Written to stdout as
 * one line, CloudWatch Logs extracts the metric from the function's log group with no API call (and no
 * cloudwatch:PutMetricData right). Format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function embeddedMetric(
  metric: EmbeddedMetric,
  functionName: string,
  at: Date,
  value: number,
  unit: 'Count' | 'Megabytes',
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        { Namespace: metric.namespace, Dimensions: [[metric.dimension]], Metrics: [{ Name: metric.name, Unit: unit }] },
      ],
    },
    [metric.dimension]: functionName,
    [metric.name]: value,
  });
}
