import { parseExpectations, positiveNumber, unknownKeys } from './parse-expect';
import { CheckSpec } from './types';
import { VariableLookup, describeType, expandVariables, isPlainObject } from './values';

export interface ParseOptions {
  /** Resolves $(name) references; without it they stay literal text. */
  variables?: VariableLookup;
  /** Called with each secret value a reference expanded to, as soon as it is found. */
  onSecret?: (value: string) => void;
}

export type ParsedChecks = { ok: true; value: CheckSpec[] } | { ok: false; error: string; errors: string[] };

const CHECK_KEYS = [
  'name',
  'method',
  'path',
  'url',
  'headers',
  'body',
  'json',
  'timeoutSeconds',
  'retries',
  'followRedirects',
  'expect',
];
const DEFAULT_KEYS = ['headers', 'timeoutSeconds', 'retries', 'followRedirects'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** A header value with a line break would let a value inject a second header. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses and validates a checks document (YAML or JSON: a list of checks, or a map with
 * `defaults` and `checks`). Every problem is collected and named by check and field, so the
 * user fixes them in one edit; nothing is sent when any check is invalid.
 */
export function parseChecks(text: string, options: ParseOptions = {}): ParsedChecks {
  const errors: string[] = [];
  let doc: unknown;
  try {
    doc = parseDocumentText(text);
  } catch (err) {
    return fail([`the checks are not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`]);
  }
  let list: unknown = doc;
  let defaults: Record<string, unknown> = {};
  if (isPlainObject(doc)) {
    unknownKeys(doc, ['defaults', 'checks'], '', (f, m) => errors.push(`${f}: ${m}`));
    if (doc.defaults !== undefined) {
      if (isPlainObject(doc.defaults)) {
        defaults = doc.defaults;
        unknownKeys(defaults, DEFAULT_KEYS, 'defaults', (f, m) => errors.push(`${f}: ${m}`));
      } else errors.push('defaults: must be a map (headers, timeoutSeconds, retries, followRedirects)');
    }
    list = doc.checks;
  }
  if (!Array.isArray(list) || list.length === 0) {
    return fail([...errors, 'the checks must be a non-empty YAML list (or a map with a non-empty `checks` list)']);
  }
  const checks: CheckSpec[] = [];
  const names = new Set<string>();
  list.forEach((raw, index) => {
    const label =
      isPlainObject(raw) && typeof raw.name === 'string' && raw.name.trim()
        ? `check '${raw.name.trim()}'`
        : `check #${index + 1}`;
    const problem = (field: string, message: string): void => {
      errors.push(`${label}: ${field}: ${message}`);
    };
    if (!isPlainObject(raw))
      return problem('(check)', `${describeType(raw)} is not a map with name, path or url, and expect`);
    const expanded = expand(raw, options, problem);
    const check = parseCheck(
      { ...expanded, headers: mergeHeaders(defaults.headers, expanded.headers) },
      defaults,
      problem,
    );
    if (!check) return;
    if (names.has(check.name.toLowerCase()))
      return problem('name', `'${check.name}' is used by an earlier check; names must be unique`);
    names.add(check.name.toLowerCase());
    checks.push(check);
  });
  return errors.length ? fail(errors) : { ok: true, value: checks };
}

/** JSON first when it looks like JSON: JSON.parse is ~50× faster than the YAML parser on big files. */
function parseDocumentText(text: string): unknown {
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // YAML flow style also starts with [ or {: let the YAML parser decide (and explain errors).
    }
  }
  // Loaded on first use: initialising the YAML library would cost every start, bad input included.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof import('yaml');
  return yaml.parse(text, { uniqueKeys: true, prettyErrors: true });
}

function fail(errors: string[]): ParsedChecks {
  const error = errors.length === 1 ? errors[0] : `${errors.length} problems in the checks:\n- ${errors.join('\n- ')}`;
  return { ok: false, error, errors };
}

function mergeHeaders(defaults: unknown, own: unknown): unknown {
  if (defaults === undefined) return own;
  if (own === undefined) return defaults;
  if (isPlainObject(defaults) && isPlainObject(own)) return { ...defaults, ...own };
  return own;
}

/** Expands $(var) in every string value (never in keys), naming the field of a missing variable. */
function expand(
  raw: Record<string, unknown>,
  options: ParseOptions,
  problem: (field: string, message: string) => void,
): Record<string, unknown> {
  const secrets = new Set<string>();
  const walk = (value: unknown, field: string): unknown => {
    if (typeof value === 'string') {
      const out = expandVariables(value, options.variables, secrets);
      if (typeof out === 'string') return out;
      problem(field, `refers to the pipeline variable $(${out.missing}), which is not defined`);
      return value;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${field}[${i}]`));
    if (isPlainObject(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, field ? `${field}.${k}` : k)]));
    return value;
  };
  const out = walk(raw, '') as Record<string, unknown>;
  for (const s of secrets) options.onSecret?.(s);
  return out;
}

function parseCheck(
  raw: Record<string, unknown>,
  defaults: Record<string, unknown>,
  problem: (field: string, message: string) => void,
): CheckSpec | undefined {
  const before = problemCounter(problem);
  unknownKeys(raw, CHECK_KEYS, '', before.report);
  const method =
    typeof raw.method === 'string' ? raw.method.trim().toUpperCase() : raw.method === undefined ? 'GET' : '';
  if (!METHODS.includes(method))
    before.report('method', `${describeType(raw.method)} is not one of ${METHODS.join(', ')}`);

  let target: CheckSpec['target'] = { kind: 'path', value: '/' };
  if (raw.path !== undefined && raw.url !== undefined)
    before.report('url', 'is set together with path; set one of them');
  else if (raw.url !== undefined) {
    if (typeof raw.url !== 'string' || !/^https?:\/\/[^/]/i.test(raw.url.trim()))
      before.report('url', 'must be an absolute http(s) URL');
    // The URL parser would drop a CR, LF or tab silently and send another URL than the one written.
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u001f\u007f]/.test(raw.url)) before.report('url', 'contains a line break or control character');
    else if (!URL.canParse(raw.url.trim())) before.report('url', 'is not a valid URL');
    else if (new URL(raw.url.trim()).username)
      before.report('url', 'contains credentials (user:password@); send them in a header from a secret variable');
    else target = { kind: 'url', value: raw.url.trim() };
  } else if (raw.path !== undefined) {
    if (
      typeof raw.path !== 'string' ||
      // eslint-disable-next-line no-control-regex -- control characters in a path are what this refuses
      /[\s\u0000-\u001f\u007f]/.test(raw.path.trim()) ||
      /^[a-z]+:/i.test(raw.path.trim())
    )
      before.report('path', 'must be a path such as /healthz (use url for an absolute URL)');
    else target = { kind: 'path', value: raw.path.trim() };
  } else before.report('path', 'is required (or url): the endpoint to call, e.g. /healthz');

  const headers: Record<string, string> = {};
  if (raw.headers !== undefined) {
    if (!isPlainObject(raw.headers)) before.report('headers', 'must be a map of header name to value');
    else {
      for (const [name, value] of Object.entries(raw.headers)) {
        // Values are never echoed: they may carry credentials.
        if (!HEADER_NAME.test(name)) before.report(`headers.${name}`, 'is not a valid header name');
        else if (typeof value !== 'string' && typeof value !== 'number')
          before.report(`headers.${name}`, 'must be a string');
        else if (/[\r\n\0]/.test(String(value))) before.report(`headers.${name}`, 'contains a line break');
        else headers[name] = String(value);
      }
    }
  }

  let body: string | undefined;
  if (raw.body !== undefined && raw.json !== undefined)
    before.report('json', 'is set together with body; set one of them');
  else if (raw.body !== undefined) {
    if (typeof raw.body === 'string') body = raw.body;
    else before.report('body', 'must be a string (use json for a JSON body)');
  } else if (raw.json !== undefined) {
    body = JSON.stringify(raw.json);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/json';
  }

  const timeoutSeconds = positiveNumber(
    raw.timeoutSeconds ?? defaults.timeoutSeconds,
    'timeoutSeconds',
    before.report,
    { min: 0.1, max: 600 },
  );
  const retries = positiveNumber(raw.retries ?? defaults.retries, 'retries', before.report, {
    min: 0,
    max: 100,
    integer: true,
  });
  const follow = raw.followRedirects ?? defaults.followRedirects ?? false;
  if (typeof follow !== 'boolean') before.report('followRedirects', 'must be true or false');
  // The default name leaves out the query string, which may carry a key.
  let name = `${method} ${target.value.replace(/[?#].*$/, '')}`;
  if (raw.name !== undefined) {
    if (typeof raw.name !== 'string' || !raw.name.trim() || raw.name.length > 200)
      before.report('name', 'must be a non-empty string of at most 200 characters');
    else name = raw.name.trim();
  }
  const expect = parseExpectations(raw.expect, before.report);
  if (before.count() > 0) return undefined;
  return {
    name,
    method,
    target,
    headers,
    body,
    timeoutMs: timeoutSeconds !== undefined ? Math.round(timeoutSeconds * 1000) : undefined,
    retries,
    followRedirects: follow === true,
    expect,
  };
}

function problemCounter(problem: (field: string, message: string) => void): {
  report: (field: string, message: string) => void;
  count: () => number;
} {
  let n = 0;
  return {
    report: (field, message) => {
      n++;
      problem(field, message);
    },
    count: () => n,
  };
}
