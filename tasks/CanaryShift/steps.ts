import { parseDuration } from '../common/duration';
import { Parsed } from '../common/image-ref';

export type Step = { kind: 'weight'; weight: number } | { kind: 'pause'; ms: number } | { kind: 'analysis' };

/** "10, pause 60s, analysis, 25, 100" → steps; every token is checked, the first bad one is named. */
export function parseSteps(text: string): Parsed<Step[]> {
  const tokens = text.split(/[,\r\n]+/).map((t) => t.trim()).filter(Boolean);
  if (!tokens.length) return { ok: false, error: 'no steps are given' };
  const steps: Step[] = [];
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (/^\d+(\.\d+)?%?$/.test(lower)) {
      const weight = Number(lower.replace('%', ''));
      if (!Number.isInteger(weight) || weight < 0 || weight > 100) return { ok: false, error: `weight '${token}' is not a whole number from 0 to 100` };
      steps.push({ kind: 'weight', weight });
    } else if (lower === 'analysis') {
      steps.push({ kind: 'analysis' });
    } else if (lower.startsWith('pause')) {
      const ms = parseDuration(lower.slice(5).trim());
      if (ms === undefined || ms <= 0) return { ok: false, error: `'${token}' needs a duration, e.g. pause 60s or pause 5m` };
      steps.push({ kind: 'pause', ms });
    } else {
      return { ok: false, error: `'${token}' is not a weight, 'pause <duration>' or 'analysis'` };
    }
  }
  return { ok: true, value: steps };
}
