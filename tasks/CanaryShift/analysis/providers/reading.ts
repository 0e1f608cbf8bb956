import { QueryResult } from '../prometheus';
import { MetricProvider, Reading } from './provider';
import { MetricSpec, ProviderKind } from '../metrics';

/** A client's answer as a reading: a valid answer without a number is no data, which the metric's policy judges. */
export function readingOf(r: QueryResult): Reading {
  if (r.ok) return { kind: 'value', value: r.value };
  return r.noData ? { kind: 'noData', detail: r.error } : { kind: 'error', error: r.error };
}

/** A provider from one read function: the dry run is one read whose value is not judged (no data is fine). */
export function providerOf(kind: ProviderKind, read: (m: MetricSpec, at: Date) => Promise<Reading>): MetricProvider {
  return {
    kind,
    async dryRun(m) {
      const r = await read(m, new Date());
      return r.kind === 'error' ? { ok: false, error: r.error } : { ok: true };
    },
    measure: read,
  };
}
