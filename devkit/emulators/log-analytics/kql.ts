/**
 * A small KQL subset for the Log Analytics emulator (the language: learn.microsoft.com/kusto/query). Enough for
 * canary analysis queries, evaluated over seeded rows with KQL's types:
 *   Table | where <pred> | extend n = <expr> | summarize n = <agg>, … [by col, …] | project n = <expr>, col
 *         | take N | limit N
 * Expressions: literals (long 42, real 0.5, 'str', "str", true/false, timespans 5m 30s 1h 1d 100ms), columns,
 * + - * / (long / long is integer division, as in KQL), == != < <= > >=, and, or, ( ), ago(ts), now(),
 * todouble/toreal, tolong/toint. Aggregates: count(), countif(pred), sum, avg, min, max, percentile(x, p).
 * Unknown syntax → KqlError 'syntax' (the service's SYN0002), unknown tables/columns/functions → 'semantic'.
 */
export type KqlType = 'long' | 'real' | 'string' | 'bool' | 'datetime' | 'timespan';
export type KqlValue = number | string | boolean | null;
export type Row = Record<string, KqlValue>;
export interface KqlTable {
  columns: { name: string; type: KqlType }[];
  rows: Row[];
}

export class KqlError extends Error {
  constructor(
    readonly kind: 'syntax' | 'semantic',
    message: string,
    readonly token = '',
    readonly line = 1,
    readonly pos = 0,
  ) {
    super(message);
  }
}

interface Tok {
  t: 'id' | 'num' | 'str' | 'span' | 'op' | 'end';
  v: string;
  at: number;
}
type Expr =
  | { k: 'lit'; v: KqlValue; type: KqlType }
  | { k: 'col'; name: string }
  | { k: 'call'; fn: string; args: Expr[] }
  | { k: 'bin'; op: string; l: Expr; r: Expr };

const UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const AGGS = new Set(['count', 'countif', 'sum', 'avg', 'min', 'max', 'percentile']);

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s+|\/\/[^\n]*|(\d+(?:\.\d+)?)(ms|d|h|m|s)?(?![A-Za-z_])|([A-Za-z_][A-Za-z0-9_]*)|'([^'\n]*)'|"([^"\n]*)"|(==|!=|<=|>=|[|<>=+\-*/(),])/y;
  let i = 0;
  while (i < q.length) {
    re.lastIndex = i;
    const m = re.exec(q);
    if (!m) throw syntaxAt(q, i, q.slice(i, i + 1));
    if (m[1] !== undefined) out.push({ t: m[2] ? 'span' : 'num', v: m[0], at: i });
    else if (m[3] !== undefined) out.push({ t: 'id', v: m[3], at: i });
    else if (m[4] !== undefined || m[5] !== undefined) out.push({ t: 'str', v: m[4] ?? m[5], at: i });
    else if (m[6] !== undefined) out.push({ t: 'op', v: m[6], at: i });
    i = re.lastIndex;
  }
  out.push({ t: 'end', v: '<EOF>', at: q.length });
  return out;
}

function syntaxAt(q: string, at: number, token: string): KqlError {
  const before = q.slice(0, at).split('\n');
  const line = before.length;
  const pos = before[before.length - 1].length;
  return new KqlError('syntax', `Query could not be parsed at '${token}' on line [${line},${pos}]`, token, line, pos);
}

/** Parses and runs a query over the given tables. */
export function runKql(query: string, tables: Record<string, KqlTable>, now = Date.now()): KqlTable {
  const toks = tokenize(query);
  let p = 0;
  const peek = (): Tok => toks[p];
  const fail = (): never => {
    throw syntaxAt(query, peek().at, peek().v);
  };
  const take = (v?: string): Tok => {
    const t = peek();
    if (v !== undefined && t.v !== v) fail();
    if (t.t === 'end') fail();
    p++;
    return t;
  };
  const isOp = (v: string): boolean => peek().t === 'op' && peek().v === v;
  const isWord = (v: string): boolean => peek().t === 'id' && peek().v === v;

  function primary(): Expr {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { k: 'lit', v: Number(t.v), type: t.v.includes('.') ? 'real' : 'long' };
    }
    if (t.t === 'span') {
      p++;
      const m = /^(\d+(?:\.\d+)?)(ms|d|h|m|s)$/.exec(t.v)!;
      return { k: 'lit', v: Number(m[1]) * UNITS[m[2]], type: 'timespan' };
    }
    if (t.t === 'str') {
      p++;
      return { k: 'lit', v: t.v, type: 'string' };
    }
    if (isOp('(')) {
      p++;
      const e = expr();
      take(')');
      return e;
    }
    if (isOp('-')) {
      p++;
      return { k: 'bin', op: '-', l: { k: 'lit', v: 0, type: 'long' }, r: primary() };
    }
    if (t.t !== 'id') return fail();
    p++;
    if (t.v === 'true' || t.v === 'false') return { k: 'lit', v: t.v === 'true', type: 'bool' };
    if (!isOp('(')) return { k: 'col', name: t.v };
    p++;
    const args: Expr[] = [];
    while (!isOp(')')) {
      args.push(expr());
      if (!isOp(')')) take(',');
    }
    take(')');
    return { k: 'call', fn: t.v, args };
  }
  const binary =
    (next: () => Expr, ops: string[], words = false) =>
    (): Expr => {
      let l = next();
      while ((words ? peek().t === 'id' : peek().t === 'op') && ops.includes(peek().v)) {
        const op = take().v;
        l = { k: 'bin', op, l, r: next() };
      }
      return l;
    };
  const mul = binary(primary, ['*', '/']);
  const add = binary(mul, ['+', '-']);
  const cmp = binary(add, ['==', '!=', '<', '<=', '>', '>=']);
  const and = binary(cmp, ['and'], true);
  const expr = binary(and, ['or'], true);
  const named = (): { name?: string; e: Expr } => {
    if (peek().t === 'id' && toks[p + 1].t === 'op' && toks[p + 1].v === '=') {
      const name = take().v;
      take('=');
      return { name, e: expr() };
    }
    return { e: expr() };
  };
  const list = (): { name?: string; e: Expr }[] => {
    const items = [named()];
    while (isOp(',')) {
      p++;
      items.push(named());
    }
    return items;
  };

  const source = peek();
  if (source.t !== 'id') fail();
  p++;
  const start = tables[source.v];
  if (!start) throw new KqlError('semantic', `Failed to resolve table or column expression named '${source.v}'`);
  let cur: KqlTable = { columns: [...start.columns], rows: start.rows.map((r) => ({ ...r })) };
  while (peek().t !== 'end') {
    take('|');
    const op = take();
    if (op.t !== 'id') {
      p--;
      fail();
    }
    if (op.v === 'where') {
      const pred = expr();
      check(pred, cur, 'where');
      markLongs(pred, cur);
      cur = { ...cur, rows: cur.rows.filter((r) => evaluate(pred, r, now) === true) };
    } else if (op.v === 'take' || op.v === 'limit') {
      const n = take();
      if (n.t !== 'num') {
        p--;
        fail();
      }
      cur = { ...cur, rows: cur.rows.slice(0, Number(n.v)) };
    } else if (op.v === 'extend' || op.v === 'project') {
      const items = list();
      const cols = items.map((it, i) => {
        check(it.e, cur, op.v);
        markLongs(it.e, cur);
        return { name: it.name ?? (it.e.k === 'col' ? it.e.name : `Column${i + 1}`), type: typeOf(it.e, cur) };
      });
      const rows = cur.rows.map((r) => {
        const out: Row = op.v === 'extend' ? { ...r } : {};
        items.forEach((it, i) => (out[cols[i].name] = evaluate(it.e, r, now)));
        return out;
      });
      const kept = op.v === 'extend' ? cur.columns.filter((c) => !cols.some((n) => n.name === c.name)) : [];
      cur = { columns: [...kept, ...cols], rows };
    } else if (op.v === 'summarize') {
      const aggs = list();
      const by: string[] = [];
      if (isWord('by')) {
        p++;
        do {
          if (by.length) take(',');
          const c = take();
          if (c.t !== 'id') {
            p--;
            fail();
          }
          by.push(c.v);
        } while (isOp(','));
      }
      cur = summarize(cur, aggs, by, now);
    } else {
      p--;
      fail();
    }
  }
  return cur;
}

function columnType(t: KqlTable, name: string, where: string): KqlType {
  const c = t.columns.find((x) => x.name === name);
  if (!c)
    throw new KqlError(
      'semantic',
      `'${where}' operator: Failed to resolve column or scalar expression named '${name}'`,
    );
  return c.type;
}

function check(e: Expr, t: KqlTable, where: string): void {
  if (e.k === 'col') columnType(t, e.name, where);
  else if (e.k === 'bin') {
    check(e.l, t, where);
    check(e.r, t, where);
  } else if (e.k === 'call') {
    if (AGGS.has(e.fn))
      throw new KqlError('semantic', `'${where}' operator: aggregate function '${e.fn}' is only allowed in summarize`);
    if (!['ago', 'now', 'todouble', 'toreal', 'tolong', 'toint'].includes(e.fn))
      throw new KqlError('semantic', `'${where}' operator: Unknown function: '${e.fn}'.`);
    e.args.forEach((a) => check(a, t, where));
  }
}

function typeOf(e: Expr, t: KqlTable): KqlType {
  if (e.k === 'lit') return e.type;
  if (e.k === 'col') return columnType(t, e.name, 'project');
  if (e.k === 'call') {
    if (['todouble', 'toreal', 'avg', 'percentile'].includes(e.fn)) return 'real';
    if (['tolong', 'toint', 'count', 'countif'].includes(e.fn)) return 'long';
    if (e.fn === 'ago' || e.fn === 'now') return 'datetime';
    return e.args[0] ? typeOf(e.args[0], t) : 'long';
  }
  if (['==', '!=', '<', '<=', '>', '>=', 'and', 'or'].includes(e.op)) return 'bool';
  const l = typeOf(e.l, t);
  const r = typeOf(e.r, t);
  if (l === 'datetime' || r === 'datetime') return e.op === '-' && l === r ? 'timespan' : 'datetime';
  return l === 'long' && r === 'long' ? 'long' : 'real';
}

function evaluate(e: Expr, row: Row, now: number): KqlValue {
  if (e.k === 'lit') return e.v;
  if (e.k === 'col') return row[e.name] ?? null;
  if (e.k === 'call') {
    const a = e.args.map((x) => evaluate(x, row, now));
    if (e.fn === 'ago') return now - Number(a[0]);
    if (e.fn === 'now') return now;
    if (e.fn === 'todouble' || e.fn === 'toreal') return a[0] === null ? null : Number(a[0]);
    return a[0] === null ? null : Math.trunc(Number(a[0]));
  }
  const l = evaluate(e.l, row, now);
  const r = evaluate(e.r, row, now);
  switch (e.op) {
    case 'and':
      return l === true && r === true;
    case 'or':
      return l === true || r === true;
    case '==':
      return l === r;
    case '!=':
      return l !== r;
  }
  if (l === null || r === null) return null;
  const x = Number(l);
  const y = Number(r);
  switch (e.op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
  }
  // '/': KQL divides two longs as integers (null on division by zero); reals give NaN or ±Infinity.
  const integral = typeof l === 'number' && typeof r === 'number' && isLong(e.l) && isLong(e.r);
  if (integral) return y === 0 ? null : Math.trunc(x / y);
  return x / y;
}

/** Long-typed sub-expressions, marked once per operator against its input's schema ('/' needs the types). */
const longExprs = new WeakSet<Expr>();
function isLong(e: Expr): boolean {
  return (
    longExprs.has(e) || (e.k === 'lit' && e.type === 'long') || (e.k === 'call' && ['tolong', 'toint'].includes(e.fn))
  );
}
/** Marks column references of long columns, so '/' knows their type at run time. */
function markLongs(e: Expr, t: KqlTable): void {
  if (e.k === 'col' && t.columns.find((c) => c.name === e.name)?.type === 'long') longExprs.add(e);
  if (e.k === 'bin') {
    markLongs(e.l, t);
    markLongs(e.r, t);
    if (typeOf(e, t) === 'long') longExprs.add(e);
  }
  if (e.k === 'call') e.args.forEach((a) => markLongs(a, t));
}

function summarize(t: KqlTable, aggs: { name?: string; e: Expr }[], by: string[], now: number): KqlTable {
  by.forEach((b) => columnType(t, b, 'summarize'));
  const groups = new Map<string, Row[]>();
  for (const r of t.rows) {
    const key = JSON.stringify(by.map((b) => r[b]));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  // Without by, an empty input still gives one row (count() = 0).
  if (!by.length && !groups.size) groups.set('[]', []);
  const cols = aggs.map((a) => {
    if (a.e.k !== 'call' || !AGGS.has(a.e.fn))
      throw new KqlError('semantic', "'summarize' operator: expected an aggregate function such as count() or avg()");
    const arg = a.e.args[0];
    if (arg) markLongs(arg, t);
    if (arg && a.e.fn !== 'countif') {
      if (arg.k === 'col') columnType(t, arg.name, 'summarize');
      else check(arg, t, 'summarize');
    }
    const suffix = arg?.k === 'col' && a.e.fn !== 'countif' ? `_${arg.name}` : '_';
    return { name: a.name ?? `${a.e.fn}${suffix}`, type: typeOf(a.e, t) };
  });
  const rows = [...groups.values()].map((members) => {
    const out: Row = {};
    by.forEach((b) => (out[b] = members[0]?.[b] ?? null));
    aggs.forEach((a, i) => {
      const call = a.e as Expr & { k: 'call' };
      const vals = () =>
        members.map((m) => evaluate(call.args[0], m, now)).filter((v): v is number => typeof v === 'number');
      let v: KqlValue;
      if (call.fn === 'count') v = members.length;
      else if (call.fn === 'countif') v = members.filter((m) => evaluate(call.args[0], m, now) === true).length;
      else {
        const xs = vals();
        if (!xs.length) v = call.fn === 'sum' ? 0 : null;
        else if (call.fn === 'sum') v = xs.reduce((s, x) => s + x, 0);
        else if (call.fn === 'avg') v = xs.reduce((s, x) => s + x, 0) / xs.length;
        else if (call.fn === 'min') v = Math.min(...xs);
        else if (call.fn === 'max') v = Math.max(...xs);
        else {
          const sorted = [...xs].sort((x, y) => x - y);
          const pct = Number(evaluate(call.args[1], {}, now));
          v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((pct / 100) * sorted.length) - 1))];
        }
      }
      out[cols[i].name] = v;
    });
    return out;
  });
  return { columns: [...by.map((b) => ({ name: b, type: columnType(t, b, 'summarize') })), ...cols], rows };
}
