import { Step } from '../steps';

/** Time kept back from the task's deadline so a timed-out run can still return traffic to stable. */
export function abortReserveMs(timeoutMs: number): number {
  return Math.min(30_000, Math.max(2_000, Math.round(timeoutMs * 0.1)));
}

/** The least time the steps take: their pauses, plus the intervals between each analysis' measurements. */
export function minimumStepsMs(steps: Step[], analysis: { measurements: number; intervalMs: number }): number {
  return steps.reduce((ms, s) => ms + (s.kind === 'pause' ? s.ms : s.kind === 'analysis' ? (analysis.measurements - 1) * analysis.intervalMs : 0), 0);
}
