import { MetricSpec } from '../metrics';
import { PrometheusClient } from '../prometheus';
import { MetricProvider, Reading } from './provider';

/** PromQL instant queries: one client per server address (several metrics may share one). */
export function prometheusProvider(clientFor: (address: URL) => PrometheusClient): MetricProvider {
  const read = async (m: MetricSpec, at: Date): Promise<Reading> => {
    const r = await clientFor(m.address as URL).query(m.query, at);
    if (r.ok) return { kind: 'value', value: r.value };
    return r.noData ? { kind: 'noData', detail: r.error } : { kind: 'error', error: r.error };
  };
  return {
    kind: 'prometheus',
    async dryRun(m) {
      const r = await read(m, new Date());
      return r.kind === 'error' ? { ok: false, error: r.error } : { ok: true };
    },
    measure: read,
  };
}
