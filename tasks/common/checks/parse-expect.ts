import { compileJsonPath } from './jsonpath';
import { DEFAULT_STATUS, parseStatus } from './status-range';
import { BodyExpectation, Expectations, JsonComparison, JsonExpectation, TextExpectation } from './types';
import { describeType, isPlainObject, parseRegex } from './values';

/** Reports one problem with a field, e.g. problem('expect.status', "'2xy' is not …"). */
export type Problem = (field: string, message: string) => void;

const EXPECT_KEYS = ['status', 'headers', 'body', 'json', 'maxDurationMs', 'certificateValidDays'];
const HEADER_KEYS = ['equals', 'matches', 'contains', 'exists'];
const BODY_KEYS = ['contains', 'notContains', 'matches'];
const JSON_KEYS = ['path', 'equals', 'notEquals', 'exists', 'matches', 'contains', 'count', 'gt', 'gte', 'lt', 'lte'];
const COMPARISONS: JsonComparison[] = ['gt', 'gte', 'lt', 'lte'];

export function unknownKeys(value: Record<string, unknown>, allowed: string[], field: string, problem: Problem): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problem(field ? `${field}.${key}` : key, `is not a known key; use one of: ${allowed.join(', ')}`);
  }
}

function strings(value: unknown, field: string, problem: Problem): string[] | undefined {
  const list = Array.isArray(value) ? value : [value];
  if (list.length && list.every((v) => typeof v === 'string' || typeof v === 'number')) return list.map(String);
  problem(field, 'must be a string or a list of strings');
  return undefined;
}

function regexes(value: unknown, field: string, problem: Problem): RegExp[] | undefined {
  const out: RegExp[] = [];
  for (const item of Array.isArray(value) ? value : [value]) {
    const re = parseRegex(item);
    if (typeof re === 'string') {
      problem(field, re);
      return undefined;
    }
    out.push(re);
  }
  return out;
}

export function positiveNumber(
  value: unknown,
  field: string,
  problem: Problem,
  opts: { min: number; max: number; integer?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= opts.min &&
    value <= opts.max &&
    (!opts.integer || Number.isInteger(value));
  if (!ok)
    problem(
      field,
      `${describeType(value)} is not ${opts.integer ? 'a whole number' : 'a number'} from ${opts.min} to ${opts.max}`,
    );
  return ok ? value : undefined;
}

function headerExpectation(value: unknown, field: string, problem: Problem): TextExpectation | undefined {
  if (typeof value === 'string' || typeof value === 'number') return { equals: String(value) };
  if (typeof value === 'boolean') return { exists: value };
  if (!isPlainObject(value)) {
    problem(field, 'must be a string (equals) or a map with equals, matches, contains or exists');
    return undefined;
  }
  unknownKeys(value, HEADER_KEYS, field, problem);
  const out: TextExpectation = {};
  if (value.equals !== undefined)
    out.equals = typeof value.equals === 'string' ? value.equals : JSON.stringify(value.equals);
  if (value.matches !== undefined) out.matches = regexes(value.matches, `${field}.matches`, problem)?.[0];
  if (value.contains !== undefined) out.contains = strings(value.contains, `${field}.contains`, problem);
  if (value.exists !== undefined) {
    if (typeof value.exists === 'boolean') out.exists = value.exists;
    else problem(`${field}.exists`, 'must be true or false');
  }
  return out;
}

function bodyExpectation(value: unknown, field: string, problem: Problem): BodyExpectation | undefined {
  if (typeof value === 'string') return { contains: [value] };
  if (!isPlainObject(value)) {
    problem(field, 'must be a string (contains) or a map with contains, notContains or matches');
    return undefined;
  }
  unknownKeys(value, BODY_KEYS, field, problem);
  const out: BodyExpectation = {};
  if (value.contains !== undefined) out.contains = strings(value.contains, `${field}.contains`, problem);
  if (value.notContains !== undefined) out.notContains = strings(value.notContains, `${field}.notContains`, problem);
  if (value.matches !== undefined) out.matches = regexes(value.matches, `${field}.matches`, problem);
  return out;
}

function jsonExpectation(
  path: unknown,
  ops: Record<string, unknown>,
  field: string,
  problem: Problem,
): JsonExpectation | undefined {
  if (typeof path !== 'string') {
    problem(`${field}.path`, 'is required: a JSONPath such as $.status');
    return undefined;
  }
  const compiled = compileJsonPath(path);
  if (!compiled.ok) {
    problem(`${field}.path`, compiled.error);
    return undefined;
  }
  const out: JsonExpectation = { path: compiled.value };
  if ('equals' in ops) out.equals = ops.equals;
  if ('notEquals' in ops) out.notEquals = ops.notEquals;
  if ('contains' in ops) out.contains = ops.contains;
  if (ops.exists !== undefined) {
    if (typeof ops.exists === 'boolean') out.exists = ops.exists;
    else problem(`${field}.exists`, 'must be true or false');
  }
  if (ops.matches !== undefined) out.matches = regexes(ops.matches, `${field}.matches`, problem)?.[0];
  if (ops.count !== undefined)
    out.count = positiveNumber(ops.count, `${field}.count`, problem, { min: 0, max: 1e9, integer: true });
  for (const op of COMPARISONS) {
    if (ops[op] === undefined) continue;
    if (typeof ops[op] === 'number') (out.compare ??= []).push({ op, value: ops[op] });
    else problem(`${field}.${op}`, `${describeType(ops[op])} is not a number`);
  }
  const given = JSON_KEYS.filter((k) => k !== 'path' && k in ops);
  if (!given.length) out.exists = true;
  return out;
}

/** `json:` as a list of {path, …} or as a map {"$.path": value-or-operators}. */
function jsonExpectations(value: unknown, field: string, problem: Problem): JsonExpectation[] {
  const out: JsonExpectation[] = [];
  const push = (e: JsonExpectation | undefined): void => {
    if (e) out.push(e);
  };
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const f = `${field}[${i}]`;
      if (!isPlainObject(item)) return problem(f, 'must be a map with path and an operator such as equals');
      unknownKeys(item, JSON_KEYS, f, problem);
      push(jsonExpectation(item.path, item, f, problem));
    });
  } else if (isPlainObject(value)) {
    for (const [path, ops] of Object.entries(value)) {
      const f = `${field}['${path}']`;
      if (isPlainObject(ops) && Object.keys(ops).some((k) => JSON_KEYS.includes(k))) {
        unknownKeys(
          ops,
          JSON_KEYS.filter((k) => k !== 'path'),
          f,
          problem,
        );
        push(jsonExpectation(path, ops, f, problem));
      } else {
        push(jsonExpectation(path, { equals: ops }, f, problem));
      }
    }
  } else {
    problem(field, 'must be a list of {path, equals|exists|matches|…} or a map of JSONPath to expected value');
  }
  return out;
}

export function parseExpectations(value: unknown, problem: Problem): Expectations {
  const out: Expectations = { status: DEFAULT_STATUS, headers: [], json: [] };
  if (value === undefined || value === null) return out;
  if (!isPlainObject(value)) {
    problem('expect', 'must be a map (status, headers, body, json, maxDurationMs, certificateValidDays)');
    return out;
  }
  unknownKeys(value, EXPECT_KEYS, 'expect', problem);
  if (value.status !== undefined) {
    const status = parseStatus(value.status);
    if (status.ok) out.status = status.value;
    else problem('expect.status', status.error);
  }
  if (value.headers !== undefined) {
    if (!isPlainObject(value.headers)) problem('expect.headers', 'must be a map of header name to expectation');
    else {
      for (const [name, v] of Object.entries(value.headers)) {
        const e = headerExpectation(v, `expect.headers.${name}`, problem);
        if (e) out.headers.push({ name: name.toLowerCase(), expect: e });
      }
    }
  }
  if (value.body !== undefined) out.body = bodyExpectation(value.body, 'expect.body', problem);
  if (value.json !== undefined) out.json = jsonExpectations(value.json, 'expect.json', problem);
  out.maxDurationMs = positiveNumber(value.maxDurationMs, 'expect.maxDurationMs', problem, { min: 1, max: 3_600_000 });
  out.certificateValidDays = positiveNumber(value.certificateValidDays, 'expect.certificateValidDays', problem, {
    min: 0,
    max: 3650,
  });
  return out;
}
