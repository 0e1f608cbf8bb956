/**
 * Blue/green as Argo Rollouts' BlueGreen strategy defines it (argoproj/argo-rollouts, rollout/bluegreen.go and
 * docs/features/bluegreen.md), on plain Deployments and Services:
 * - the new version comes up as `<deployment>-preview` behind `previewService`; the active Service is untouched;
 * - prePromotionAnalysis runs against the preview; with autoPromotionEnabled false the run pauses there;
 * - promotion switches the active Service's selector to the preview pods (one write: all traffic at once);
 * - postPromotionAnalysis runs with the traffic on the new version; a failure switches the selector back;
 * - the old version is kept scaleDownDelaySeconds (rollback is one selector write), then removed: the stable
 *   Deployment takes the new pod spec (so its name, HPA and GitOps ownership stay), the active Service selects it
 *   again, and after another delay (kube-proxy and the meshes drop the preview endpoints) the preview goes.
 * This module is pure: it says which phases remain from what the cluster shows, so a re-run after a crash
 * converges from wherever the last run stopped.
 */

export type BlueGreenPhase =
  | 'restore'
  | 'deploy'
  | 'prePromotion'
  | 'pause'
  | 'switch'
  | 'postPromotion'
  | 'scaleDownDelay'
  | 'promoteStable'
  | 'switchBack'
  | 'drain'
  | 'removePreview';

/** Marks kept on the preview Deployment (for its current spec only): what this revision has been through. */
export type BlueGreenMark = 'prePromotion' | 'postPromotion' | 'promoting';

export interface BlueGreenState {
  /** current: runs what is asked for (for promote and abort, whatever preview exists is current). */
  preview: 'absent' | 'current' | 'stale';
  /** The active Service selects the preview pods (its original selector is saved next to the switch). */
  switched: boolean;
  /** The preview Service or the stable's promotion left over from an earlier, interrupted clean-up. */
  leftovers: boolean;
  marks: BlueGreenMark[];
  /** The stable Deployment already runs the requested pod spec (and there is no preview): a finished rollout. */
  stableRunsNew: boolean;
}

export interface BlueGreenSettings {
  prePromotion: boolean;
  postPromotion: boolean;
  autoPromotion: boolean;
}

export type BlueGreenAction = 'deploy' | 'run' | 'promote' | 'abort';

/** The phases that take a preview from after its switch to a finished promotion. */
function promotion(state: BlueGreenState, s: BlueGreenSettings): BlueGreenPhase[] {
  if (state.marks.includes('promoting'))
    // The stable has (or was about to get) the new spec: finish the promotion, never go back to the old version.
    return ['promoteStable', ...(state.switched ? (['switchBack', 'drain'] as const) : []), 'removePreview'];
  return [
    ...(state.switched ? [] : (['switch'] as const)),
    ...(s.postPromotion && !state.marks.includes('postPromotion') ? (['postPromotion'] as const) : []),
    'scaleDownDelay',
    'promoteStable',
    'switchBack',
    'drain',
    'removePreview',
  ];
}

/** Everything still to do for an action, in order; [] = nothing (already done, or nothing to act on). */
export function blueGreenPlan(action: BlueGreenAction, state: BlueGreenState, s: BlueGreenSettings): BlueGreenPhase[] {
  const present = state.preview !== 'absent';
  if (action === 'abort')
    return [
      ...(state.switched ? (['restore'] as const) : []),
      ...(present || state.leftovers ? ['removePreview' as const] : []),
    ];
  if (action === 'promote') {
    if (!present) return state.leftovers ? ['removePreview'] : [];
    const pre = s.prePromotion && !state.switched && !state.marks.includes('prePromotion');
    return [...(pre ? (['prePromotion'] as const) : []), ...promotion(state, s)];
  }
  // deploy and run: a stale preview that has the traffic gives it back before it is replaced.
  const current = state.preview === 'current';
  if (current && state.marks.includes('promoting')) return action === 'run' ? promotion(state, s) : [];
  if (!present && state.stableRunsNew && !state.switched) return state.leftovers ? ['removePreview'] : [];
  const head: BlueGreenPhase[] = [...(state.switched && !current ? (['restore'] as const) : []), 'deploy'];
  if (action === 'deploy') return current && state.switched ? [] : head;
  const fresh: BlueGreenState = current ? state : { ...state, switched: false, marks: [] };
  if (fresh.switched) return promotion(fresh, s);
  const pre = s.prePromotion && !fresh.marks.includes('prePromotion') ? (['prePromotion'] as const) : [];
  if (!s.autoPromotion) return [...head, ...pre, 'pause'];
  return [...head, ...pre, ...promotion(fresh, s)];
}

/** Reads the marks annotation (`<spec hash>:a,b`): marks of another spec hash belong to an older preview. */
export function readMarks(value: string | undefined, specHash: string | undefined): BlueGreenMark[] {
  const [hash, list] = (value ?? '').split(':');
  if (!specHash || hash !== specHash || !list) return [];
  const known: BlueGreenMark[] = ['prePromotion', 'postPromotion', 'promoting'];
  return list.split(',').filter((m): m is BlueGreenMark => (known as string[]).includes(m));
}

export function writeMarks(specHash: string, marks: BlueGreenMark[]): string {
  return `${specHash}:${[...new Set(marks)].join(',')}`;
}

/**
 * The merge patch that points a Service at other pods: the new selector's keys set, the old keys it lacks
 * removed (JSON merge patch null), and the original selector saved (JSON) once, so a switch back restores it
 * exactly however many times the switch was re-run.
 */
export function selectorPatch(
  current: Record<string, string>,
  next: Record<string, string>,
  saved: { key: string; value: string | null },
): { metadata: { annotations: Record<string, string | null> }; spec: { selector: Record<string, string | null> } } {
  const selector: Record<string, string | null> = { ...next };
  for (const k of Object.keys(current)) if (!(k in next)) selector[k] = null;
  return { metadata: { annotations: { [saved.key]: saved.value } }, spec: { selector } };
}

export const sameSelector = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
