/**
 * A record's task-specific `details` → the Run view's facts. Tasks document their own details;
 * this reads the documented keys and tolerates absence, odd types and extra fields (the
 * input is untrusted and versions drift). Everything comes out as plain strings and numbers.
 */
import { LedgerRecord } from './model';

export interface CanaryStep { weight: number; at?: string; outcome?: string; metrics: { name: string; value: string; ok?: boolean }[] }
export interface SmokeResult { name: string; passed: boolean; durationMs?: number; message?: string }
export interface TimedEvent { at?: string; what: string; message?: string }
export interface SecretSync { name: string; action: string }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function num(...vs: unknown[]): number | undefined {
  for (const v of vs) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return undefined;
}

function first(o: Obj, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

export function canarySteps(r: LedgerRecord): CanaryStep[] {
  return list(first(r.details, 'steps', 'weights')).flatMap((s) => {
    const weight = num(s.weight, s.canaryWeight, s.percent);
    if (weight === undefined) return [];
    const analysis = isObj(s.analysis) ? s.analysis : {};
    const metrics = list(first(analysis, 'metrics', 'queries')).map((m) => ({
      name: text(m.name) ?? '?',
      value: text(first(m, 'value', 'observed')) ?? '',
      ok: typeof m.ok === 'boolean' ? m.ok : typeof m.passed === 'boolean' ? m.passed : undefined,
    }));
    return [{ weight, at: text(first(s, 'at', 'startedAt', 'time')), outcome: text(first(analysis, 'outcome', 'result', 'status') ?? first(s, 'outcome', 'result')), metrics }];
  });
}

export function smokeResults(r: LedgerRecord): SmokeResult[] {
  return list(first(r.details, 'checks', 'results')).map((c) => ({
    name: text(first(c, 'name', 'title', 'url')) ?? '?',
    passed: c.ok === true || c.passed === true || c.status === 'passed' || c.outcome === 'passed',
    durationMs: num(c.durationMs, c.elapsedMs),
    message: text(first(c, 'message', 'failure', 'error', 'statusCode')),
  }));
}

export function dbEvents(r: LedgerRecord): TimedEvent[] {
  return list(first(r.details, 'events', 'transitions')).map((e) => ({
    at: text(first(e, 'at', 'time', 'timestamp')),
    what: text(first(e, 'state', 'lifecycleState', 'action', 'event')) ?? '?',
    message: text(first(e, 'message', 'detail')),
  }));
}

export function secretSyncs(r: LedgerRecord): SecretSync[] {
  return list(first(r.details, 'secrets', 'synced')).map((s) => ({
    name: text(first(s, 'name', 'secret')) ?? '?',
    action: text(first(s, 'action', 'result', 'status')) ?? '?',
  }));
}

/** Scalar details for the generic facts table (nested values are shown by the views above). */
export function scalarFacts(r: LedgerRecord): [string, string][] {
  return Object.entries(r.details)
    .filter(([, v]) => v === null || typeof v !== 'object')
    .map(([k, v]) => [k, text(v) ?? '']);
}
