import { Parsed } from '../common/image-ref';

export type Comparator = '>=' | '>' | '<=' | '<' | '==' | '!=';
export interface Condition {
  op: Comparator;
  threshold: number;
}

/** "result >= 0.99" — deliberately tiny: no expression language is evaluated from pipeline text. */
export function parseCondition(text: string): Parsed<Condition> {
  const m = /^\s*result\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!m) return { ok: false, error: `'${text}' is not 'result <op> <number>' with op one of >= > <= < == !=` };
  return { ok: true, value: { op: m[1] as Comparator, threshold: Number(m[2]) } };
}

export function holds(condition: Condition, result: number): boolean {
  switch (condition.op) {
    case '>=':
      return result >= condition.threshold;
    case '>':
      return result > condition.threshold;
    case '<=':
      return result <= condition.threshold;
    case '<':
      return result < condition.threshold;
    case '==':
      return result === condition.threshold;
    case '!=':
      return result !== condition.threshold;
  }
}
