/**
 * A Monitoring Query Language subset (docs.oracle.com/iaas/Content/Monitoring/Reference/mql.htm) for the OCI
 * Monitoring emulator: `Metric[interval]{dim = "v", dim2 != "w"}.grouping().stat()` where interval is 1m-60m,
 * 1h-24h or 1d; dimension filters use = or != with double-quoted values (`=~` wildcards are not emulated);
 * grouping functions grouping() and groupBy(dim); statistics mean, sum, count, min, max, rate, percentile(p),
 * p in (0, 1). A trailing alarm condition (`> 80`) is not emulated. Errors are MqlError with the position.
 */
export interface MqlQuery {
  metric: string;
  intervalMs: number;
  filters: { dim: string; op: '=' | '!='; value: string }[];
  grouping?: { by: string[] };
  statistic: 'mean' | 'sum' | 'count' | 'min' | 'max' | 'rate' | 'percentile';
  percentile?: number;
}

export class MqlError extends Error {}

const STATS = ['mean', 'sum', 'count', 'min', 'max', 'rate', 'percentile'] as const;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const RANGES: Record<string, [number, number]> = { m: [1, 60], h: [1, 24], d: [1, 1] };

export function parseMql(text: string): MqlQuery {
  let i = 0;
  const q = text.trim();
  const fail = (what: string): never => {
    throw new MqlError(`Invalid query: ${what} at position ${i + 1} (near '${q.slice(i, i + 12)}')`);
  };
  const skip = (): void => {
    while (/\s/.test(q[i] ?? '')) i++;
  };
  const match = (re: RegExp): RegExpExecArray | undefined => {
    skip();
    re.lastIndex = i;
    const m = re.exec(q);
    if (!m) return undefined;
    i = re.lastIndex;
    return m;
  };
  const metric = match(/[A-Za-z][A-Za-z0-9_]*/y) ?? fail('expected a metric name');
  if (!match(/\[/y)) fail("expected '[' and an interval");
  const iv = match(/(\d+)([mhd])/y) ?? fail('expected an interval such as 1m');
  const [lo, hi] = RANGES[iv[2]];
  if (Number(iv[1]) < lo || Number(iv[1]) > hi) fail(`interval ${iv[0]} is not supported`);
  if (!match(/\]/y)) fail("expected ']'");
  const filters: MqlQuery['filters'] = [];
  if (match(/\{/y)) {
    do {
      const dim = match(/[A-Za-z][A-Za-z0-9_.]*/y) ?? fail('expected a dimension name');
      const op = match(/!=|=/y) ?? fail("expected '=' or '!='");
      const value = match(/"((?:[^"\\]|\\.)*)"/y) ?? fail('expected a double-quoted dimension value');
      filters.push({ dim: dim[0], op: op[0] as '=' | '!=', value: value[1].replace(/\\(.)/g, '$1') });
    } while (match(/,/y));
    if (!match(/\}/y)) fail("expected '}'");
  }
  let grouping: MqlQuery['grouping'];
  let statistic: MqlQuery['statistic'] | undefined;
  let percentile: number | undefined;
  while (match(/\./y)) {
    const fn = match(/[A-Za-z]+/y) ?? fail('expected a function');
    if (!match(/\(/y)) fail("expected '('");
    if (fn[0] === 'grouping' || fn[0] === 'groupBy') {
      const by: string[] = [];
      if (fn[0] === 'groupBy')
        do by.push((match(/[A-Za-z][A-Za-z0-9_.]*/y) ?? fail('expected a dimension name'))[0]);
        while (match(/,/y));
      grouping = { by };
    } else if ((STATS as readonly string[]).includes(fn[0])) {
      if (statistic) fail('only one statistic is allowed');
      statistic = fn[0] as MqlQuery['statistic'];
      if (statistic === 'percentile') {
        percentile = Number((match(/0?\.\d+/y) ?? fail('expected a percentile between 0 and 1'))[0]);
      }
    } else fail(`unknown function '${fn[0]}'`);
    if (!match(/\)/y)) fail("expected ')'");
  }
  skip();
  if (i < q.length) fail('unexpected text');
  if (!statistic) fail('a statistic such as .mean() or .sum() is required');
  return {
    metric: metric[0],
    intervalMs: Number(iv[1]) * UNIT_MS[iv[2]],
    filters,
    grouping,
    statistic: statistic!,
    percentile,
  };
}

/** One statistic over the raw values of one window (rate: per-second change from the first to the last). */
export function statistic(q: MqlQuery, points: { t: number; v: number }[]): number {
  const vs = points.map((p) => p.v);
  switch (q.statistic) {
    case 'sum':
      return vs.reduce((s, v) => s + v, 0);
    case 'count':
      return vs.length;
    case 'min':
      return Math.min(...vs);
    case 'max':
      return Math.max(...vs);
    case 'rate': {
      const sorted = [...points].sort((a, b) => a.t - b.t);
      const dt = (sorted.at(-1)!.t - sorted[0].t) / 1000;
      return dt > 0 ? (sorted.at(-1)!.v - sorted[0].v) / dt : 0;
    }
    case 'percentile': {
      const sorted = [...vs].sort((a, b) => a - b);
      return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q.percentile! * sorted.length) - 1))];
    }
    default:
      return vs.reduce((s, v) => s + v, 0) / vs.length;
  }
}
