import { MetricSpec } from '../metrics';
import { OciMonitoringClient } from '../oci-monitoring';
import { MetricProvider } from './provider';
import { providerOf, readingOf } from './reading';

/** MQL through OCI Monitoring's SummarizeMetricsData, in the metric's compartment and namespace. */
export function ociMonitoringProvider(client: () => Promise<OciMonitoringClient>): MetricProvider {
  return providerOf('ociMonitoring', async (m: MetricSpec, at: Date) =>
    readingOf(await (await client()).query(m.compartmentId as string, m.namespace as string, m.query, at)),
  );
}
