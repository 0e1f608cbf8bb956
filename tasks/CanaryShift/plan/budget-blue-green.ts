import type { AnalysisSelection, BlueGreenOptions } from '../options-release';

/**
 * The least time a blue/green action takes beyond its roll-outs: the analyses (the slowest metric of each) and
 * the two scale-down delays (old version kept after the switch, preview kept after the switch back).
 * `analysisMs(names)` measures one analysis of those metrics (undefined: all of them).
 */
export function blueGreenNeedMs(
  action: string,
  bg: Pick<BlueGreenOptions, 'prePromotion' | 'postPromotion' | 'scaleDownDelayMs' | 'autoPromotion'>,
  analysisMs: (names?: string[]) => number,
): number {
  const ms = (s: AnalysisSelection): number => (s ? analysisMs(s.metrics) : 0);
  const promotion = ms(bg.postPromotion) + 2 * bg.scaleDownDelayMs;
  if (action === 'run') return ms(bg.prePromotion) + (bg.autoPromotion ? promotion : 0);
  if (action === 'promote') return ms(bg.prePromotion) + promotion;
  return 0;
}
