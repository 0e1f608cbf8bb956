/**
 * Azure Monitor (Log Analytics) and OCI Monitoring for CanaryShift's metric providers: the Entra emulator with one
 * app, the Log Analytics query API emulator and the OCI Monitoring emulator, plus the AzureRM and OCI service
 * connections pointing at them, and an in-process run of the task with those connections.
 *
 *   const world = await startMetricsWorld();   world.la / world.mon / world.entra;  world.endpoints.{azure, oci}
 *   world.canaryMetrics({ successRatio: 0.97, errors5xx: 0 })   // what the canary's telemetry shows now
 *   await runCanaryWithMetrics(kube, world, inputs)             // like kube-fixture's runCanary
 *   await world.close()
 */
import type { Endpoint } from '../agent/agent-run';
import { EntraEmulator, spnConnection, startEntra } from '../emulators/entra';
import { KubeApiServer } from '../emulators/kube-apiserver';
import { LogAnalyticsEmulator, startLogAnalytics } from '../emulators/log-analytics';
import { OciMonitoringEmulator, startOciMonitoring } from '../emulators/oci-monitoring';
import { ociEndpoint } from '../support/oci-test-key';
import { InProcessRun, runCanary } from './kube-fixture';

export const WORKSPACE_ID = '4b5f5a8e-1c1d-4f0e-9d43-6a3c2f7e0b11';
export const MON_COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaacanarymetrics';
export const CLIENT_ID = '0c6f5b7e-2a53-4f4e-8a8e-5b1c9f0d3a21';
export const CLIENT_SECRET = 'la-client-s3cret-value-0123456789';

/** KQL a user copies from the Application Insights docs: the canary role's success ratio over 5 minutes. */
export const SUCCESS_KQL =
  'AppRequests | where TimeGenerated > ago(5m) and AppRoleName == "web-canary" ' +
  '| summarize ok = countif(Success == true), total = count() | project result = todouble(ok) / total';
/** MQL as the OCI load balancer docs write it: 5xx answers of the canary's backend set per minute. */
export const ERRORS_MQL = 'HttpResponses5xx[1m]{backendSetName = "web-canary"}.grouping().sum()';

export interface MetricsWorld {
  entra: EntraEmulator;
  la: LogAnalyticsEmulator;
  mon: OciMonitoringEmulator;
  endpoints: { azure: Endpoint; oci: Endpoint };
  /** Seeds the canary's telemetry: `total` requests at `successRatio`, and `errors5xx` in the last minutes. */
  canaryMetrics(m: { successRatio: number; errors5xx: number; total?: number }): void;
  close(): Promise<void>;
}

export async function startMetricsWorld(): Promise<MetricsWorld> {
  const entra = await startEntra();
  entra.register({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
  const la = await startLogAnalytics({ workspaceId: WORKSPACE_ID });
  const mon = await startOciMonitoring({ compartments: [MON_COMPARTMENT] });
  return {
    entra,
    la,
    mon,
    endpoints: {
      azure: spnConnection(entra, CLIENT_ID, CLIENT_SECRET),
      oci: ociEndpoint(mon.url),
    },
    canaryMetrics({ successRatio, errors5xx, total = 200 }) {
      la.appRequests('web-canary', { total, failed: Math.round(total * (1 - successRatio)) });
      const now = Date.now();
      // One point per 10 s over the last 3 minutes: every 1-minute window has data, the newest one too.
      for (let t = now - 180_000; t <= now; t += 10_000) {
        mon.post({
          namespace: 'oci_lbaas',
          compartmentId: MON_COMPARTMENT,
          name: 'HttpResponses5xx',
          dimensions: { backendSetName: 'web-canary', lbComponent: 'Backendset' },
          value: t > now - 60_000 ? errors5xx / 6 : 0,
          at: t,
        });
      }
    },
    close: async () => {
      await Promise.all([la.close(), mon.close(), entra.close()]);
    },
  };
}

/** runCanary (kube-fixture) with the AzureRM connection `azure` and the OCI connection `oci` as well. */
export function runCanaryWithMetrics(
  kube: KubeApiServer,
  world: MetricsWorld,
  inputs: Record<string, string>,
): Promise<InProcessRun> {
  return runCanary(kube, inputs, { endpoints: world.endpoints });
}
