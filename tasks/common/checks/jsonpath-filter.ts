/**
 * Filter selectors for the JSONPath subset: [?@.name == 'db'] (RFC 9535) or the older
 * [?(@.name == 'db')]. One comparison of a definite relative path with a literal, or the path
 * alone (it exists). Enough for "the check named db is ok" without a general expression engine.
 */
export type FilterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Filter {
  /** Member names and indexes, applied from the current item (@). */
  path: (string | number)[];
  op?: FilterOp;
  value?: string | number | boolean | null;
}

const STEP = /^(?:\.([A-Za-z_$][\w$-]*)|\[\s*(-?\d+)\s*\]|\[\s*'((?:\\.|[^'\\])*)'\s*\]|\[\s*"((?:\\.|[^"\\])*)"\s*\])/;
const LITERAL = /^(?:(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)"|(true|false|null))$/;

/** Parses the text after '?' (without the brackets); a message when it is not supported. */
export function parseFilter(text: string): Filter | string {
  let src = text.trim();
  if (src.startsWith('(') && src.endsWith(')')) src = src.slice(1, -1).trim();
  if (!src.startsWith('@')) return `filter '${text}' must start with @`;
  let i = 1;
  const path: (string | number)[] = [];
  for (let m = STEP.exec(src.slice(i)); m; m = STEP.exec(src.slice(i))) {
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else path.push((m[3] ?? m[4]).replace(/\\(.)/g, '$1'));
    i += m[0].length;
  }
  const rest = src.slice(i).trim();
  if (!rest) return { path };
  const op = /^(==|!=|<=|>=|<|>)/.exec(rest)?.[1] as FilterOp | undefined;
  if (!op) return `filter '${text}' has '${rest}' where a comparison (==, !=, <, <=, >, >=) was expected`;
  const lit = LITERAL.exec(rest.slice(op.length).trim());
  if (!lit) return `filter '${text}' must compare with a number, a quoted string, true, false or null`;
  let value: Filter['value'];
  if (lit[1] !== undefined) value = Number(lit[1]);
  else if (lit[2] !== undefined || lit[3] !== undefined) value = (lit[2] ?? lit[3]).replace(/\\(.)/g, '$1');
  else value = lit[4] === 'null' ? null : lit[4] === 'true';
  return { path, op, value };
}

const MISSING = Symbol('missing');

function resolve(item: unknown, path: (string | number)[]): unknown {
  let cur: unknown = item;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur)) return MISSING;
      const idx = step < 0 ? cur.length + step : step;
      if (idx < 0 || idx >= cur.length) return MISSING;
      cur = cur[idx];
    } else {
      if (
        cur === null ||
        typeof cur !== 'object' ||
        Array.isArray(cur) ||
        !Object.prototype.hasOwnProperty.call(cur, step)
      )
        return MISSING;
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return cur;
}

/** RFC 9535 semantics: ordering comparisons only between two numbers or two strings. */
export function filterMatches(filter: Filter, item: unknown): boolean {
  const v = resolve(item, filter.path);
  if (!filter.op) return v !== MISSING;
  if (v === MISSING) return filter.op === '!=';
  const w = filter.value;
  switch (filter.op) {
    case '==':
      return v === w;
    case '!=':
      return v !== w;
    default: {
      if (!((typeof v === 'number' && typeof w === 'number') || (typeof v === 'string' && typeof w === 'string')))
        return false;
      if (filter.op === '<') return v < w;
      if (filter.op === '<=') return v <= w;
      if (filter.op === '>') return v > w;
      return v >= w;
    }
  }
}
