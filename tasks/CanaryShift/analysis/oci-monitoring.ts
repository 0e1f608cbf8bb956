import { ociAnswer } from '../../common/oci/errors';
import { QueryResult } from './prometheus';

/** The fields of oci-monitoring's MetricData (model/metric-data.ts) a reading needs. */
export interface MetricStream {
  name?: string;
  dimensions?: Record<string, string>;
  aggregatedDatapoints?: { timestamp: Date | string; value: number }[];
}

/** The summarizeMetricsData call of oci-monitoring's MonitoringClient (POST /20180401/metrics/actions/…). */
export type SummarizeMetricsData = (request: {
  compartmentId: string;
  summarizeMetricsDataDetails: { namespace: string; query: string; startTime: Date; endTime: Date };
}) => Promise<{ items: MetricStream[] }>;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * How far back a reading looks: three of the query's intervals (`CpuUtilization[1m].mean()` → 3 min), at
 * least 5 minutes, so the latest complete aggregation window is always inside (OCI returns a data point
 * per interval, stamped at the window's start, only once metrics arrived for it).
 */
export function lookbackMs(mql: string): number {
  const m = /\[(\d+)([mhd])\]/.exec(mql);
  const interval = m ? Number(m[1]) * UNIT_MS[m[2]] : 60_000;
  return Math.max(5 * 60_000, 3 * interval);
}

/**
 * One number from a SummarizeMetricsData answer: the latest aggregated data point of the one stream. No
 * stream or no data point is "no data"; several streams (one per dimension set) ask for `.grouping()`.
 */
export function streamValue(items: MetricStream[]): QueryResult {
  if (!items.length)
    return {
      ok: false,
      noData: true,
      error: 'the query returned no metric streams: is the canary emitting the metric, and do the dimensions match?',
    };
  if (items.length > 1)
    return {
      ok: false,
      error: `the query returned ${items.length} metric streams; aggregate them to one (e.g. ….grouping().sum())`,
    };
  const points = [...(items[0].aggregatedDatapoints ?? [])].sort(
    (a, b) => new Date(a.timestamp).getTime() - new Date(b.timestamp).getTime(),
  );
  const last = points.at(-1);
  if (!last) return { ok: false, noData: true, error: 'the metric stream has no data points in the window' };
  const value = Number(last.value);
  if (Number.isNaN(value)) return { ok: false, noData: true, error: 'the latest data point is NaN' };
  return { ok: true, value };
}

/** MQL through the OCI Monitoring API, the window ending at the measurement's time. */
export class OciMonitoringClient {
  constructor(private readonly summarize: SummarizeMetricsData) {}

  async query(compartmentId: string, namespace: string, mql: string, at: Date): Promise<QueryResult> {
    try {
      const res = await this.summarize({
        compartmentId,
        summarizeMetricsDataDetails: {
          namespace,
          query: mql,
          startTime: new Date(at.getTime() - lookbackMs(mql)),
          endTime: at,
        },
      });
      return streamValue(res.items ?? []);
    } catch (err) {
      // 400 InvalidParameter (a bad MQL), 404 (no such compartment), 401/403: the service's words, once retries end.
      return { ok: false, error: `OCI Monitoring answered ${ociAnswer(err).detail}` };
    }
  }
}
