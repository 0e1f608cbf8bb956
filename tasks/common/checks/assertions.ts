import { evaluateJsonPath } from './jsonpath';
import { statusMatches } from './status-range';
import { Expectations, HttpExchange, JsonExpectation, TextExpectation } from './types';

const DAY_MS = 86_400_000;

export type Redact = (text: string) => string;

/**
 * Short, single-line rendering of a value from a response, for failure messages. Redacted
 * before it is cut: a cut secret (a long JWT) would no longer match and leak its first part.
 */
export function showValue(value: unknown, redact: Redact = (t) => t, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = redact(text);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a))
    return a.length === (b as unknown[]).length && a.every((v, i) => deepEqual(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.prototype.hasOwnProperty.call(b, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

function textFailures(what: string, actual: string | undefined, expect: TextExpectation, redact: Redact): string[] {
  const show = (v: unknown): string => showValue(v, redact);
  const out: string[] = [];
  if (expect.exists === false) {
    if (actual !== undefined) out.push(`expected ${what} to be absent, got ${show(actual)}`);
    return out;
  }
  if (actual === undefined) return [`expected ${what}, but the response has none`];
  if (expect.equals !== undefined && actual !== expect.equals)
    out.push(`expected ${what} to equal ${show(expect.equals)}, got ${show(actual)}`);
  if (expect.matches && !expect.matches.test(actual))
    out.push(`expected ${what} to match ${expect.matches}, got ${show(actual)}`);
  for (const part of expect.contains ?? []) {
    if (!actual.includes(part)) out.push(`expected ${what} to contain ${show(part)}, got ${show(actual)}`);
  }
  return out;
}

const COMPARE = {
  gt: { test: (a: number, b: number) => a > b, text: 'greater than' },
  gte: { test: (a: number, b: number) => a >= b, text: 'at least' },
  lt: { test: (a: number, b: number) => a < b, text: 'less than' },
  lte: { test: (a: number, b: number) => a <= b, text: 'at most' },
};

/**
 * A definite path (no wildcard) is judged on its one value; an indefinite one on the list it
 * selects: equals/contains/count see the list, matches and comparisons must hold for each item.
 */
export function jsonFailures(doc: unknown, e: JsonExpectation, redact: Redact = (t) => t): string[] {
  const show = (v: unknown): string => showValue(v, redact);
  const nodes = evaluateJsonPath(e.path, doc);
  const p = e.path.text;
  if (e.exists === false)
    return nodes.length ? [`expected ${p} to be absent, got ${show(e.path.definite ? nodes[0] : nodes)}`] : [];
  if (!nodes.length) return [`expected ${p} to exist, but the path selects nothing`];
  const value = e.path.definite ? nodes[0] : nodes;
  const items = e.path.definite ? [nodes[0]] : nodes;
  const out: string[] = [];
  if ('equals' in e && !deepEqual(value, e.equals))
    out.push(`expected ${p} to equal ${show(e.equals)}, got ${show(value)}`);
  if ('notEquals' in e && deepEqual(value, e.notEquals)) out.push(`expected ${p} not to equal ${show(e.notEquals)}`);
  if ('contains' in e) {
    const ok = Array.isArray(value)
      ? value.some((v) => deepEqual(v, e.contains))
      : typeof value === 'string' && typeof e.contains === 'string' && value.includes(e.contains);
    if (!ok) out.push(`expected ${p} to contain ${show(e.contains)}, got ${show(value)}`);
  }
  if (e.count !== undefined) {
    const n = Array.isArray(value) ? value.length : undefined;
    if (n !== e.count)
      out.push(`expected ${p} to have ${e.count} item(s), got ${n === undefined ? `${show(value)} (not a list)` : n}`);
  }
  for (const item of items) {
    if (e.matches && !((typeof item === 'string' || typeof item === 'number') && e.matches.test(String(item)))) {
      out.push(`expected ${p} to match ${e.matches}, got ${show(item)}`);
    }
    for (const c of e.compare ?? []) {
      if (typeof item !== 'number' || !COMPARE[c.op].test(item, c.value))
        out.push(`expected ${p} to be ${COMPARE[c.op].text} ${c.value}, got ${show(item)}`);
    }
  }
  return out;
}

/** Every expectation that does not hold, each as one line naming what was expected and what came back. */
export function evaluateExpectations(
  expect: Expectations,
  ex: HttpExchange,
  now: number,
  redact: Redact = (t) => t,
): string[] {
  const show = (v: unknown): string => showValue(v, redact);
  const out: string[] = [];
  if (!statusMatches(expect.status, ex.status)) out.push(`expected status ${expect.status.text}, got ${ex.status}`);
  for (const h of expect.headers) out.push(...textFailures(`header ${h.name}`, ex.headers[h.name], h.expect, redact));
  if (expect.body) {
    const text = ex.body.toString('utf8');
    for (const part of expect.body.contains ?? [])
      if (!text.includes(part)) out.push(`expected the body to contain ${show(part)}`);
    for (const part of expect.body.notContains ?? [])
      if (text.includes(part)) out.push(`expected the body not to contain ${show(part)}`);
    for (const re of expect.body.matches ?? []) if (!re.test(text)) out.push(`expected the body to match ${re}`);
  }
  if (expect.json.length) {
    let doc: unknown;
    let parsed = true;
    try {
      doc = JSON.parse(ex.body.toString('utf8'));
    } catch (err) {
      parsed = false;
      out.push(
        `expected a JSON body for ${expect.json.map((j) => j.path.text).join(', ')}, but it is not JSON (${(err as Error).message})`,
      );
    }
    if (parsed) for (const j of expect.json) out.push(...jsonFailures(doc, j, redact));
  }
  if (expect.maxDurationMs !== undefined && ex.durationMs > expect.maxDurationMs) {
    out.push(`expected a response within ${expect.maxDurationMs} ms, took ${Math.round(ex.durationMs)} ms`);
  }
  if (expect.certificateValidDays !== undefined) {
    if (!ex.certificate)
      out.push('expected an HTTPS certificate for certificateValidDays, but the connection is not TLS');
    else {
      const days = (ex.certificate.validTo.getTime() - now) / DAY_MS;
      if (days < expect.certificateValidDays) {
        out.push(
          `expected the certificate of ${ex.certificate.subject} to be valid for ${expect.certificateValidDays} more day(s), it expires in ${days.toFixed(1)} day(s) (${ex.certificate.validTo.toISOString()})`,
        );
      }
    }
  }
  return out;
}
