import { parse as parseYaml } from 'yaml';
import { InputReader } from '../common/inputs';
import { CanaryPatch, parseCanaryPatch } from './plan/pod-patch';
import { HeaderMatch, parseCanaryHeader } from './plan/header-route';

export type Strategy = 'canary' | 'blueGreen';

/** Which metrics an Argo-style analysis runs: undefined = all of them (and the smoke checks). */
export type AnalysisSelection = { metrics?: string[] } | undefined;

export interface BlueGreenOptions {
  previewService: string;
  /** undefined: no analysis before the switch. */
  prePromotion: AnalysisSelection;
  postPromotion: AnalysisSelection;
  scaleDownDelayMs: number;
  autoPromotion: boolean;
}

/** The inputs of issue 15's release shapes: strategy and blue/green, canaryPatch, canaryHeader. */
export interface ReleaseOptions {
  strategy: Strategy;
  blueGreen?: BlueGreenOptions;
  /** Applied to the canary's (or preview's) pod template, after the image. */
  canaryPatch?: CanaryPatch;
  /** Testers reach the canary by this header at weight 0 (Gateway API and Istio). */
  canaryHeader?: HeaderMatch;
}

const ANALYSIS_FIX =
  "Write metric names (error-rate, latency), `all`, or Argo's form: templates: [{templateName: error-rate}].";

/** `all`, `a, b`, or Argo's `{templates: [{templateName: a}]}` (a leading `prePromotionAnalysis:` key too). */
export function parseAnalysisSelection(
  text: string | undefined,
): { ok: true; value: AnalysisSelection } | { ok: false; error: string } {
  const t = text?.trim();
  if (!t) return { ok: true, value: undefined };
  if (t.toLowerCase() === 'all') return { ok: true, value: {} };
  if (/^[\w-]+(\s*,\s*[\w-]+)*$/.test(t)) return { ok: true, value: { metrics: t.split(/\s*,\s*/) } };
  let doc: unknown;
  try {
    doc = parseYaml(t, { maxAliasCount: 0 });
  } catch (err) {
    return {
      ok: false,
      error: `is not valid YAML: ${String((err as Error).message)
        .split('\n')[0]
        .slice(0, 160)}`,
    };
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    const keys = Object.keys(doc);
    if (keys.length === 1 && /PromotionAnalysis$/.test(keys[0])) doc = (doc as Record<string, unknown>)[keys[0]];
  }
  const templates = (doc as { templates?: unknown } | null)?.templates;
  if (!Array.isArray(templates) || !templates.length) return { ok: false, error: 'names no metric' };
  const names: string[] = [];
  for (const item of templates) {
    const name = (item as { templateName?: unknown })?.templateName;
    if (typeof name !== 'string' || !/^[\w-]+$/.test(name))
      return { ok: false, error: 'has a template without a templateName (a metric name)' };
    names.push(name);
  }
  return { ok: true, value: { metrics: names } };
}

export function readReleaseOptions(
  inputs: InputReader,
  ctx: { action: string; service?: string; deployment: string; router: string; metricNames: string[] },
): ReleaseOptions {
  const strategy = inputs.pick<Strategy>('strategy');
  const out: ReleaseOptions = { strategy };
  if (strategy === 'blueGreen') {
    if (ctx.action === 'shift')
      inputs.problem(
        'action',
        'shift splits traffic by weight, which blue/green does not do (it switches all traffic at once).',
        'Use deploy, run, promote or abort with strategy blueGreen, or strategy canary for weights.',
      );
    if (!ctx.service)
      inputs.problem(
        'service',
        'is required with strategy blueGreen: it is the active Service whose selector switches.',
        'Name the Service in front of the stable pods.',
      );
    if (ctx.deployment.length > 245)
      inputs.problem(
        'deployment',
        'is too long for the preview name <deployment>-preview.',
        'Use at most 245 characters.',
      );
    const fallback = ctx.service && ctx.service.length <= 55 ? `${ctx.service}-preview` : undefined;
    const previewService =
      inputs.optionalString('previewService', {
        pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
        expected: 'a Service name (lower-case letters, digits and -, starting with a letter)',
        maxLength: 63,
      }) ?? fallback;
    if (!previewService && ctx.service)
      inputs.problem(
        'previewService',
        'is required: <service>-preview would be longer than 63 characters.',
        'Name it.',
      );
    if (previewService && previewService === ctx.service)
      inputs.problem('previewService', 'is the active Service.', 'Name another Service (default <service>-preview).');
    const selection = (name: string): AnalysisSelection => {
      const parsed = parseAnalysisSelection(inputs.raw(name));
      if (!parsed.ok) {
        inputs.problem(name, `${parsed.error}.`, ANALYSIS_FIX);
        return undefined;
      }
      const unknown = parsed.value?.metrics?.find((n) => !ctx.metricNames.includes(n));
      if (unknown)
        inputs.problem(
          name,
          `names metric '${unknown.slice(0, 63)}', which the metrics input does not define.`,
          `Use one of: ${ctx.metricNames.join(', ') || '(no metrics defined)'}, or all.`,
        );
      return parsed.value;
    };
    out.blueGreen = {
      previewService: previewService ?? '',
      prePromotion: selection('prePromotionAnalysis'),
      postPromotion: selection('postPromotionAnalysis'),
      scaleDownDelayMs: inputs.number('scaleDownDelaySeconds', { min: 0, max: 3600, integer: true }) * 1000,
      autoPromotion: inputs.boolean('autoPromotionEnabled'),
    };
  }
  const patchText = inputs.raw('canaryPatch');
  if (patchText?.trim()) {
    const parsed = parseCanaryPatch(patchText);
    if (parsed.ok) out.canaryPatch = parsed.value;
    else inputs.problem('canaryPatch', `${parsed.error}.`, parsed.fix);
  }
  const headerText = inputs.optionalString('canaryHeader');
  if (headerText) {
    const parsed = parseCanaryHeader(headerText);
    if (!parsed.ok) inputs.problem('canaryHeader', `${parsed.error}.`, 'Write name=value, e.g. x-canary=always.');
    else if (ctx.router !== 'gatewayApi' && ctx.router !== 'istio')
      inputs.problem(
        'canaryHeader',
        `needs a router that matches headers; ${ctx.router} does not here.`,
        'Use trafficRouter gatewayApi or istio, or remove canaryHeader.',
      );
    else out.canaryHeader = parsed.value;
  }
  return out;
}
