/**
 * A small JSONPath subset (RFC 9535 syntax) that covers what smoke checks use:
 *   $            the root
 *   .name        member (letters, digits, _, $ and -)
 *   ['name']     member by quoted name ("double" quotes too), for names with dots or spaces
 *   [n]          array index, negative counts from the end
 *   [*] / .*     every element or member value
 *   ..name / ..* / ..[n]   descendants
 *   [?@.name == 'db']       filter (see jsonpath-filter.ts), also written [?(@.name == 'db')]
 * Paths are compiled once, when the checks are parsed, so a bad path fails before any request.
 */
import { Filter, filterMatches, parseFilter } from './jsonpath-filter';

export type Segment =
  | { kind: 'filter'; filter: Filter; descend: boolean }
  | { kind: 'member'; name: string; descend: boolean }
  | { kind: 'index'; index: number; descend: boolean }
  | { kind: 'wildcard'; descend: boolean };

export interface JsonPath {
  text: string;
  segments: Segment[];
  /** A definite path selects at most one value; the others select a list. */
  definite: boolean;
}

export type JsonPathParse = { ok: true; value: JsonPath } | { ok: false; error: string };

const NAME = /^[A-Za-z_$][\w$-]*/;

export function compileJsonPath(text: string): JsonPathParse {
  const src = text.trim();
  if (!src.startsWith('$')) return { ok: false, error: `'${text}' does not start with $` };
  const segments: Segment[] = [];
  let i = 1;
  const fail = (why: string): JsonPathParse => ({
    ok: false,
    error: `'${text}' is not a supported JSONPath: ${why} at position ${i}`,
  });
  while (i < src.length) {
    let descend = false;
    if (src.startsWith('..', i)) {
      descend = true;
      i += 2;
      if (src[i] !== '[') {
        if (src[i] === '*') {
          segments.push({ kind: 'wildcard', descend });
          i += 1;
          continue;
        }
        const m = NAME.exec(src.slice(i));
        if (!m) return fail('expected a name, * or [ after ..');
        segments.push({ kind: 'member', name: m[0], descend });
        i += m[0].length;
        continue;
      }
    } else if (src[i] === '.') {
      i += 1;
      if (src[i] === '*') {
        segments.push({ kind: 'wildcard', descend });
        i += 1;
        continue;
      }
      const m = NAME.exec(src.slice(i));
      if (!m) return fail('expected a member name after .');
      segments.push({ kind: 'member', name: m[0], descend });
      i += m[0].length;
      continue;
    }
    if (src[i] !== '[') return fail(`unexpected '${src[i]}'`);
    const close = bracketEnd(src, i);
    if (close < 0) return fail('unclosed [');
    const inner = src.slice(i + 1, close).trim();
    if (inner.startsWith('?')) {
      const filter = parseFilter(inner.slice(1));
      if (typeof filter === 'string') return fail(filter);
      segments.push({ kind: 'filter', filter, descend });
      i = close + 1;
      continue;
    }
    const seg = bracketSegment(inner, descend);
    if (!seg) return fail(`'[${inner}]' is not an index, a quoted name, * or a filter ?@…`);
    segments.push(seg);
    i = close + 1;
  }
  const definite = segments.every((s) => s.kind !== 'wildcard' && s.kind !== 'filter' && !s.descend);
  return { ok: true, value: { text: src, segments, definite } };
}

/** Finds the ] that closes the [ at `open`, skipping quoted names and nested brackets (filters). */
function bracketEnd(src: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let j = open + 1; j < src.length; j++) {
    const c = src[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && depth-- === 0) return j;
  }
  return -1;
}

function bracketSegment(inner: string, descend: boolean): Segment | undefined {
  if (inner === '*') return { kind: 'wildcard', descend };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner), descend };
  const quoted = /^(['"])((?:\\.|(?!\1).)*)\1$/.exec(inner);
  if (quoted) return { kind: 'member', name: quoted[2].replace(/\\(.)/g, '$1'), descend };
  return undefined;
}

function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') return Object.values(value);
  return [];
}

function descendants(value: unknown, out: unknown[]): void {
  out.push(value);
  for (const child of children(value)) descendants(child, out);
}

function select(node: unknown, seg: Segment, out: unknown[]): void {
  if (seg.kind === 'wildcard') {
    out.push(...children(node));
  } else if (seg.kind === 'filter') {
    for (const child of children(node)) if (filterMatches(seg.filter, child)) out.push(child);
  } else if (seg.kind === 'index') {
    if (!Array.isArray(node)) return;
    const idx = seg.index < 0 ? node.length + seg.index : seg.index;
    if (idx >= 0 && idx < node.length) out.push(node[idx]);
  } else if (
    node !== null &&
    typeof node === 'object' &&
    !Array.isArray(node) &&
    Object.prototype.hasOwnProperty.call(node, seg.name)
  ) {
    out.push((node as Record<string, unknown>)[seg.name]);
  }
}

/** Every value the path selects, in document order. */
export function evaluateJsonPath(path: JsonPath, document: unknown): unknown[] {
  let nodes: unknown[] = [document];
  for (const seg of path.segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (seg.descend) {
        const all: unknown[] = [];
        descendants(node, all);
        for (const d of all) select(d, seg, next);
      } else {
        select(node, seg, next);
      }
    }
    nodes = next;
  }
  return nodes;
}
