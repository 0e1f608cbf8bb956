import { format } from 'node:util';
import { TaskError } from '../../../common/errors';
import { ociClientFactory } from '../../../common/oci/clients';
import { DEFAULT_RETRY_POLICY } from '../../../common/retry-policy';
import { TaskContext } from '../../../common/runner';
import { CanaryShiftOptions } from '../../options';
import { OciMonitoringClient, SummarizeMetricsData } from '../oci-monitoring';

/**
 * oci-monitoring's MonitoringClient signed as the OCI connection's user, with the project's retries (429, 5xx,
 * resets; bounded by the task's deadline). SummarizeMetricsData only reads, so no opc-retry-token is needed.
 */
export async function ociMonitoringClient(ctx: TaskContext, o: CanaryShiftOptions): Promise<OciMonitoringClient> {
  const conn = o.analysis.oci;
  if (!conn) throw new TaskError('OCI Monitoring needs the ociConnection input.', 'Set an OCI service connection.');
  const [monitoring, factory] = await Promise.all([
    import('oci-monitoring'),
    ociClientFactory(
      conn,
      { policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 }, deadline: ctx.deadline, signal: ctx.signal },
      ctx.network,
    ),
  ]);
  const client = factory.create(monitoring.MonitoringClient);
  // oci-common's retrier writes each retry and refusal to console.warn: our reading says it better, so while
  // calls are in flight (metrics run side by side) its chatter goes to debug, redacted.
  let inFlight = 0;
  let saved = console.warn;
  const summarize: SummarizeMetricsData = async (request) => {
    if (inFlight++ === 0) {
      saved = console.warn;
      console.warn = (...args: unknown[]): void => ctx.host.debug(ctx.secrets.redact(format(...args)));
    }
    try {
      const res = await client.summarizeMetricsData(request);
      return { items: res.items };
    } finally {
      if (--inFlight === 0) console.warn = saved;
    }
  };
  return new OciMonitoringClient(summarize);
}
