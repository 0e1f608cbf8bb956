import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../common/duration';
import { Parsed } from '../common/image-ref';

/**
 * A canary step. A pause without `ms` stops the run there, with the canary at its weight: a later step or
 * stage (after a ManualValidation, say) runs `promote` or `abort`, as Argo Rollouts' `pause: {}` waits for
 * `kubectl argo rollouts promote`. An analysis may name the metrics it runs (Argo's templateName); none = all.
 */
export type Step =
  { kind: 'weight'; weight: number } | { kind: 'pause'; ms?: number } | { kind: 'analysis'; metrics?: string[] };

const COMPACT_HINT = 'Write steps such as: 10, pause 60s, analysis, 50, pause, 100';
const ARGO_HINT =
  'Write an Argo Rollouts list such as: - setWeight: 20 / - pause: {duration: 10m} / - pause: {} / - analysis: …';

/** Steps Argo Rollouts has and CanaryShift does not: refused by name, so no one thinks they ran. */
const ARGO_UNSUPPORTED: Record<string, string> = {
  setCanaryScale: 'canary replicas follow the weight (see maxCanaryReplicas)',
  setHeaderRoute: 'use the canaryHeader input',
  setMirrorRoute: 'traffic mirroring is not supported',
  experiment: 'experiments are not supported',
  plugin: 'step plugins are not supported',
};

export interface StepsError {
  error: string;
  fix: string;
}

/**
 * One parser for both spellings: the compact list ("10, pause 60s, analysis, 25, 100") and the YAML list that
 * Argo Rollouts users copy from a Rollout's `spec.strategy.canary.steps` (a leading `steps:` key is accepted).
 */
export function parseSteps(text: string): Parsed<Step[]> & { fix?: string } {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'no steps are given', fix: COMPACT_HINT };
  const yamlLike = /^(-\s|steps\s*:)/m.test(trimmed) || /\b(setWeight|pause|analysis)\s*:/.test(trimmed);
  const r = yamlLike ? parseArgo(trimmed) : parseCompact(trimmed);
  if ('error' in r) return { ok: false, error: r.error, fix: r.fix };
  return { ok: true, value: r.steps };
}

function parseCompact(text: string): { steps: Step[] } | StepsError {
  const tokens = text
    .split(/[,\r\n]+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const steps: Step[] = [];
  for (const [i, token] of tokens.entries()) {
    const at = `step ${i + 1} ('${token.slice(0, 60)}')`;
    const lower = token.toLowerCase();
    if (/^\d+(\.\d+)?%?$/.test(lower)) {
      const w = weightOf(lower.replace('%', ''), at);
      if ('error' in w) return { ...w, fix: COMPACT_HINT };
      steps.push(w);
    } else if (lower === 'analysis') steps.push({ kind: 'analysis' });
    else if (/^analysis\s+[\w-]+(\s*\+\s*[\w-]+)*$/.test(lower)) {
      steps.push({
        kind: 'analysis',
        metrics: token
          .slice(8)
          .split('+')
          .map((s) => s.trim()),
      });
    } else if (lower === 'pause') steps.push({ kind: 'pause' });
    else if (lower.startsWith('pause')) {
      const p = pauseOf(lower.slice(5).trim(), at);
      if ('error' in p) return { ...p, fix: COMPACT_HINT };
      steps.push(p);
    } else return { error: `${at} is not a weight, 'pause', 'pause <duration>' or 'analysis'`, fix: COMPACT_HINT };
  }
  return { steps };
}

function weightOf(value: unknown, at: string): Step | { error: string } {
  const weight = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) {
    return { error: `${at}: weight ${String(value)} is not a whole number from 0 to 100` };
  }
  return { kind: 'weight', weight };
}

/** Argo accepts a duration string ("10m", "30s", "1h") or a number of seconds. */
function pauseOf(value: unknown, at: string): Step | { error: string } {
  const ms =
    typeof value === 'number' ? (Number.isInteger(value) ? value * 1000 : undefined) : parseDuration(String(value));
  if (ms === undefined || ms <= 0) {
    return {
      error: `${at}: '${String(value).slice(0, 40)}' is not a duration such as 60s, 10m or 1h (or leave it out to pause until promote)`,
    };
  }
  return { kind: 'pause', ms };
}

function parseArgo(text: string): { steps: Step[] } | StepsError {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 0 });
  } catch (err) {
    const first = String((err as Error).message)
      .split('\n')[0]
      .slice(0, 160);
    return { error: `is not valid YAML: ${first}`, fix: ARGO_HINT };
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && 'steps' in doc) doc = doc.steps;
  if (!Array.isArray(doc) || doc.length === 0) return { error: 'the YAML is not a list of steps', fix: ARGO_HINT };
  const steps: Step[] = [];
  for (const [i, item] of doc.entries()) {
    const at = `step ${i + 1}`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      return { error: `${at} is not a map such as {setWeight: 20}`, fix: ARGO_HINT };
    }
    const keys = Object.keys(item);
    if (keys.length !== 1)
      return { error: `${at} has ${keys.length} keys (${keys.join(', ')}); each step has exactly one`, fix: ARGO_HINT };
    const [key] = keys;
    const value = (item as Record<string, unknown>)[key];
    let step: Step | { error: string };
    if (key === 'setWeight') step = weightOf(value, `${at} (setWeight)`);
    else if (key === 'pause') step = argoPause(value, `${at} (pause)`);
    else if (key === 'analysis') step = argoAnalysis(value, `${at} (analysis)`);
    else if (key in ARGO_UNSUPPORTED)
      return { error: `${at}: '${key}' is not supported: ${ARGO_UNSUPPORTED[key]}`, fix: ARGO_HINT };
    else return { error: `${at}: '${key.slice(0, 40)}' is not setWeight, pause or analysis`, fix: ARGO_HINT };
    if ('error' in step) return { error: step.error, fix: ARGO_HINT };
    steps.push(step);
  }
  return { steps };
}

function argoPause(value: unknown, at: string): Step | { error: string } {
  if (value === null || value === undefined) return { kind: 'pause' };
  if (typeof value !== 'object' || Array.isArray(value)) return { error: `${at} is {duration: 10m} or {}` };
  const keys = Object.keys(value);
  const extra = keys.filter((k) => k !== 'duration');
  if (extra.length) return { error: `${at} has unknown key '${extra[0].slice(0, 40)}' (only duration)` };
  const duration = (value as { duration?: unknown }).duration;
  return duration === undefined || duration === null ? { kind: 'pause' } : pauseOf(duration, at);
}

/** `analysis: {templates: [{templateName: error-rate}]}`: the template names select metrics by name. */
function argoAnalysis(value: unknown, at: string): Step | { error: string } {
  if (value === null || value === undefined) return { kind: 'analysis' };
  if (typeof value !== 'object' || Array.isArray(value))
    return { error: `${at} is a map such as {templates: [{templateName: error-rate}]}` };
  const templates = (value as { templates?: unknown }).templates;
  if (templates === undefined) return { kind: 'analysis' };
  if (!Array.isArray(templates)) return { error: `${at}: templates is not a list` };
  const names: string[] = [];
  for (const t of templates) {
    const name = (t as { templateName?: unknown })?.templateName;
    if (typeof name !== 'string' || !name)
      return { error: `${at}: every template needs a templateName (a metric's name)` };
    names.push(name);
  }
  return names.length ? { kind: 'analysis', metrics: names } : { kind: 'analysis' };
}

/** The index of the first pause without a duration (the run stops there), or -1. */
export function indefinitePauseIndex(steps: Step[]): number {
  return steps.findIndex((s) => s.kind === 'pause' && s.ms === undefined);
}
