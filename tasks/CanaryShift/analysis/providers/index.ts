import { TaskError } from '../../../common/errors';
import { createAzureCredential } from '../../../common/connections/azure-rm';
import { TaskContext } from '../../../common/runner';
import { CanaryShiftOptions } from '../../options';
import { ProviderKind } from '../metrics';
import { PrometheusClient } from '../prometheus';
import { prometheusProvider } from './prometheus';
import { MetricProvider } from './provider';
import { LogAnalyticsClient } from '../log-analytics';
import { OciMonitoringClient } from '../oci-monitoring';
import { logAnalyticsProvider } from './log-analytics';
import { ociMonitoringProvider } from './oci-monitoring';
import { ociMonitoringClient } from './oci-monitoring-client';

/** Azure Monitor managed Prometheus checks this audience on the query endpoint's tokens. */
export const AZURE_PROMETHEUS_SCOPE = 'https://prometheus.monitor.azure.com/.default';

type Factory = (ctx: TaskContext, o: CanaryShiftOptions) => MetricProvider;

/** Entra tokens for any audience through the AzureRM connection: one credential per run, which caches tokens. */
function azureTokens(ctx: TaskContext, o: CanaryShiftOptions, service: string): (scope: string) => Promise<string> {
  let credentialOnce: ReturnType<typeof createAzureCredential> | undefined;
  return async (scope) => {
    const azure = o.analysis.azure;
    if (!azure)
      throw new TaskError(`${service} needs the azureSubscription input.`, 'Set an AzureRM service connection.');
    const credential = await (credentialOnce ??= createAzureCredential(azure, ctx.host, ctx.network));
    const token = await credential.getToken(scope, { abortSignal: ctx.signal });
    if (!token)
      throw new TaskError(`The Azure connection returned no token for ${service}.`, 'Check the service connection.');
    return token.token;
  };
}

const FACTORIES: Record<ProviderKind, Factory> = {
  prometheus: (ctx, o) => {
    const a = o.analysis;
    const azure = a.azure;
    // With an AzureRM connection, every query carries an Entra token for the workspace's query endpoint.
    // One credential for the whole run: it caches the token until shortly before it expires.
    let credentialOnce: ReturnType<typeof createAzureCredential> | undefined;
    const tokenSource =
      azure && !a.prometheusToken
        ? async (): Promise<string> => {
            const credential = await (credentialOnce ??= createAzureCredential(azure, ctx.host));
            const token = await credential.getToken(AZURE_PROMETHEUS_SCOPE, { abortSignal: ctx.signal });
            if (!token)
              throw new TaskError(
                'The Azure connection returned no token for Azure Monitor (Prometheus).',
                'Check the service connection.',
              );
            return token.token;
          }
        : undefined;
    const clients = new Map<string, PrometheusClient>();
    return prometheusProvider((address) => {
      let c = clients.get(address.href);
      if (!c)
        clients.set(
          address.href,
          (c = new PrometheusClient(address, ctx.http, ctx.secrets, a.prometheusToken, tokenSource)),
        );
      return c;
    });
  },
  logAnalytics: (ctx, o) => {
    const tokens = azureTokens(ctx, o, 'Log Analytics');
    const clients = new Map<string, LogAnalyticsClient>();
    return logAnalyticsProvider((address) => {
      let c = clients.get(address.href);
      if (!c) clients.set(address.href, (c = new LogAnalyticsClient(address, ctx.http, ctx.secrets, tokens)));
      return c;
    });
  },
  ociMonitoring: (ctx, o) => {
    // The SDK is loaded on the first query only: runs without OCI metrics never load oci-monitoring.
    let client: Promise<OciMonitoringClient> | undefined;
    return ociMonitoringProvider(() => (client ??= ociMonitoringClient(ctx, o)));
  },
};

/** One provider per kind the metrics use, created once per task run. */
export function createProviders(
  ctx: TaskContext,
  o: CanaryShiftOptions,
  deps: { providers?: Partial<Record<ProviderKind, MetricProvider>> } = {},
): Record<ProviderKind, MetricProvider> {
  const out = {} as Record<ProviderKind, MetricProvider>;
  for (const kind of Object.keys(FACTORIES) as ProviderKind[]) {
    out[kind] = deps.providers?.[kind] ?? FACTORIES[kind](ctx, o);
  }
  return out;
}
