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
  const summarize: SummarizeMetricsData = async (request) => {
    const res = await client.summarizeMetricsData(request);
    return { items: res.items };
  };
  return new OciMonitoringClient(summarize);
}
