import { LOG_ANALYTICS_URL, LogAnalyticsClient } from '../log-analytics';
import { MetricSpec } from '../metrics';
import { MetricProvider } from './provider';
import { providerOf, readingOf } from './reading';

/** KQL over Log Analytics workspaces (and workspace-based Application Insights): one client per endpoint. */
export function logAnalyticsProvider(clientFor: (address: URL) => LogAnalyticsClient): MetricProvider {
  return providerOf('logAnalytics', async (m: MetricSpec) =>
    readingOf(await clientFor(m.address ?? new URL(LOG_ANALYTICS_URL)).query(m.workspaceId as string, m.query)),
  );
}
