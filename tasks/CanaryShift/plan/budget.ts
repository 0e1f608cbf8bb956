import { Step, indefinitePauseIndex } from '../steps';

/** Time kept back from the task's deadline so a timed-out run can still return traffic to stable. */
export function abortReserveMs(timeoutMs: number): number {
  return Math.min(30_000, Math.max(2_000, Math.round(timeoutMs * 0.1)));
}

/** How long one analysis step measures at least: its metrics run side by side, so the slowest one counts. */
export type AnalysisDuration =
  { measurements: number; intervalMs: number } | ((step: Step & { kind: 'analysis' }) => number);

/**
 * The least time the steps of one `run` take: their pauses, plus the intervals between each analysis'
 * measurements. Steps after a pause without a duration are not run by this `run` (promote or abort follows).
 */
export function minimumStepsMs(steps: Step[], analysis: AnalysisDuration): number {
  const stop = indefinitePauseIndex(steps);
  const ran = stop >= 0 ? steps.slice(0, stop) : steps;
  const analysisMs =
    typeof analysis === 'function' ? analysis : (): number => (analysis.measurements - 1) * analysis.intervalMs;
  return ran.reduce((ms, s) => ms + (s.kind === 'pause' ? (s.ms ?? 0) : s.kind === 'analysis' ? analysisMs(s) : 0), 0);
}

/** Time allowed beyond the steps for the deploy and promote roll-outs and the traffic writes. */
export const ROLLOUT_ALLOWANCE_MS = 180_000;

/**
 * The rolloutTimeoutSeconds a run needs when the input is left empty: the steps, the roll-out allowance and the
 * abort reserve, rounded up to a whole minute (so it reads well next to the step's timeoutInMinutes).
 */
export function requiredTimeoutSeconds(stepsMs: number): number {
  const work = stepsMs + ROLLOUT_ALLOWANCE_MS;
  // Smallest T with T - abortReserve(T) >= work; the reserve is at most 30 s.
  const seconds = Math.ceil((work + Math.min(30_000, Math.max(2_000, work / 9))) / 1000);
  return Math.ceil(seconds / 60) * 60;
}

/** The step's timeoutInMinutes that leaves the task its whole timeout (plus a minute for start-up and clean-up). */
export function stepTimeoutMinutes(timeoutSeconds: number): number {
  return Math.ceil(timeoutSeconds / 60) + 1;
}
