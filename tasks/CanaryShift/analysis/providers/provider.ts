import { MetricSpec, ProviderKind } from '../metrics';

/** One reading of a metric: a number, a valid answer without a number (no data), or a failed query. */
export type Reading =
  { kind: 'value'; value: number } | { kind: 'noData'; detail: string } | { kind: 'error'; error: string };

/** One metrics backend: one implementation per provider kind, chosen through METRIC_PROVIDERS in execute. */
export interface MetricProvider {
  readonly kind: ProviderKind;
  /**
   * Runs the query once without judging its value, before any traffic moves: a syntax error, an unknown
   * workspace or a refused token fails the task here, not after the canary had traffic for a whole pause.
   * No data is fine at this point (the canary has no traffic yet).
   */
  dryRun(metric: MetricSpec): Promise<{ ok: true } | { ok: false; error: string }>;
  measure(metric: MetricSpec, at: Date): Promise<Reading>;
}

export type ProviderFactory = () => MetricProvider;
