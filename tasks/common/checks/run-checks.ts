import { performance } from 'node:perf_hooks';
import { TaskError } from '../errors';
import { sleep as abortableSleep } from '../sleep';
import { evaluateExpectations } from './assertions';
import { Requester, TransportError, createNodeRequester, isIdempotent } from './http-exchange';
import { ProxySettings } from './proxy';
import { judge } from './stats';
import { CheckResult, CheckSpec, RunReport } from './types';

/** Connection errors that prove the request never reached the service. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface RunOptions {
  baseUrl: URL;
  concurrency: number;
  /** Per request; a check's own timeoutSeconds wins. */
  timeoutMs: number;
  /** Per check, after the first attempt; a check's own retries wins. */
  retries: number;
  retryIntervalMs: number;
  /** Poll the first check until it passes or this runs out; 0 = no waiting. */
  waitForReadyMs: number;
  p95ThresholdMs?: number;
  maxFailureRate?: number;
  signal?: AbortSignal;
  /** The agent's web proxy, if it has one. */
  proxy?: ProxySettings;
  /** Trusted roots and client certificate from the agent's settings (never a switch to skip verification). */
  tls?: import('node:tls').SecureContextOptions;
}

export interface RunDeps {
  /** Defaults to node:http/https with keep-alive sockets bounded by the concurrency. */
  request?: Requester;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Applied to every text taken from a response or a URL before it is kept or logged. */
  redact?: (text: string) => string;
  /** Progress lines for people (never headers or request bodies). */
  log?: (line: string) => void;
}

/** Joins a check path onto the base URL's path (so /health under https://x/api is /api/health) and merges the queries. */
export function resolveCheckUrl(base: URL, check: CheckSpec): URL {
  if (check.target.kind === 'url') return new URL(check.target.value);
  const url = new URL(base.href);
  const [pathPart, query] = splitOnce(check.target.value, '?');
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
  // The base URL's query (e.g. an Azure Functions ?code= key) applies to every check; the check's own parameters win.
  if (query !== undefined) for (const [k, v] of new URLSearchParams(query)) url.searchParams.set(k, v);
  url.hash = '';
  return url;
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** What only the base URL reveals is wrong with checks that parsed: callers validate it with their inputs. */
export function planProblems(checks: CheckSpec[], base: URL): string[] {
  return checks
    .filter((c) => c.expect.certificateValidDays !== undefined && resolveCheckUrl(base, c).protocol !== 'https:')
    .map(
      (c) =>
        `check '${c.name}': expect.certificateValidDays needs an https URL, but the check calls ${resolveCheckUrl(base, c).href.split(':')[0]}`,
    );
}

/** Checks that cannot run as written are rejected together, before the first request. */
function preflight(checks: CheckSpec[], base: URL): URL[] {
  const problems = planProblems(checks, base);
  if (problems.length)
    throw new TaskError(
      problems.join('\n'),
      'Remove certificateValidDays from plain-HTTP checks or call the service over HTTPS.',
    );
  return checks.map((c) => resolveCheckUrl(base, c));
}

/** Redacted before it is cut or its whitespace folded: either could break a secret into unmasked pieces. */
function excerpt(body: Buffer, redact: (t: string) => string): string {
  const safe = redact(body.subarray(0, 64 * 1024).toString('utf8'))
    .replace(/\s+/g, ' ')
    .trim();
  return safe.length > 200 ? `${safe.slice(0, 200)}…` : safe;
}

/**
 * Runs the checks: the first one polled until ready (when asked), then all of them through a
 * pool of `concurrency` workers, each retried as configured, and judged against the thresholds.
 */
export async function runChecks(checks: CheckSpec[], options: RunOptions, deps: RunDeps = {}): Promise<RunReport> {
  const urls = preflight(checks, options.baseUrl);
  const own = deps.request
    ? undefined
    : createNodeRequester({ maxSockets: options.concurrency, proxy: options.proxy, tls: options.tls });
  const request = deps.request ?? own!.request;
  const now = deps.now ?? Date.now;
  const pause = deps.sleep ?? abortableSleep;
  const redact = deps.redact ?? ((t: string) => t);
  const sink = deps.log ?? (() => undefined);
  // Names and messages may hold an expanded secret too: every line is redacted whole.
  const log = (line: string): void => sink(redact(line));
  const started = performance.now();
  let requests = 0;

  const attempt = async (index: number): Promise<CheckResult> => {
    const check = checks[index];
    const url = urls[index];
    const shown = redact(url.href);
    const base: CheckResult = {
      name: check.name,
      method: check.method,
      url: shown,
      outcome: 'passed',
      attempts: 1,
      failures: [],
    };
    const t0 = performance.now();
    requests++;
    try {
      const ex = await request({
        method: check.method,
        url,
        headers: check.headers,
        body: check.body,
        timeoutMs: check.timeoutMs ?? options.timeoutMs,
        followRedirects: check.followRedirects,
        signal: options.signal,
      });
      const failures = evaluateExpectations(check.expect, ex, now(), redact).map(redact);
      const result: CheckResult = {
        ...base,
        status: ex.status,
        durationMs: Math.round(ex.durationMs),
        failures,
        outcome: failures.length ? 'assertion' : 'passed',
      };
      if (failures.length) result.bodyExcerpt = excerpt(ex.body, redact);
      return result;
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(err instanceof TransportError)) throw err;
      const maybeProcessed = err.kind === 'timeout' || (err.kind === 'unreachable' && !NOT_SENT.has(err.code ?? ''));
      return {
        ...base,
        outcome: err.kind,
        durationMs: Math.round(performance.now() - t0),
        failures: [redact(err.message)],
        maybeProcessed,
      };
    }
  };

  const runOne = async (index: number): Promise<CheckResult> => {
    const tries = 1 + (checks[index].retries ?? options.retries);
    let last: CheckResult | undefined;
    for (let n = 1; n <= tries; n++) {
      if (n > 1) await pause(options.retryIntervalMs, options.signal);
      last = { ...(await attempt(index)), attempts: n };
      if (last.outcome === 'passed') break;
      // A POST or PATCH whose answer was lost may have been carried out: sending it again could create twice.
      if (last.maybeProcessed && !isIdempotent(last.method) && n < tries) {
        last.failures.push(
          `not retried: the ${last.method} may have been processed before the connection failed, and a second one could act twice`,
        );
        break;
      }
    }
    report(last!);
    return last!;
  };

  const report = (r: CheckResult): void => {
    const tries = r.attempts > 1 ? `, attempt ${r.attempts}` : '';
    const status = r.status !== undefined ? `${r.status} ` : '';
    if (r.outcome === 'passed') log(`✔ ${r.name}: ${r.method} ${r.url} → ${status}in ${r.durationMs} ms${tries}`);
    else log(`✘ ${r.name}: ${r.method} ${r.url} → ${status}${label(r)}: ${r.failures.join('; ')}${tries}`);
  };

  /** Polls the first check until it passes or the readiness window closes. */
  const waitForReady = async (): Promise<CheckResult> => {
    const until = now() + options.waitForReadyMs;
    let lastLog = 0;
    for (let n = 1; ; n++) {
      const r = { ...(await attempt(0)), attempts: n };
      if (r.outcome === 'passed') {
        if (n > 1) log(`${r.name} is ready after ${n} attempts.`);
        report(r);
        return r;
      }
      const left = until - now();
      if (left <= 0) {
        const failed = {
          ...r,
          failures: [
            `not ready within ${Math.round(options.waitForReadyMs / 1000)} s (${n} attempts); last attempt: ${r.failures.join('; ')}`,
          ],
        };
        report(failed);
        return failed;
      }
      if (now() - lastLog >= 10_000) {
        log(`Waiting for ${r.name} to be ready (${Math.ceil(left / 1000)} s left): ${r.failures.join('; ')}`);
        lastLog = now();
      }
      await pause(Math.min(Math.max(options.retryIntervalMs, 100), left), options.signal);
    }
  };

  const results: CheckResult[] = new Array(checks.length);
  try {
    let next = 0;
    if (options.waitForReadyMs > 0) {
      results[0] = await waitForReady();
      next = 1;
      if (results[0].outcome !== 'passed') {
        for (let i = 1; i < checks.length; i++) {
          results[i] = {
            name: checks[i].name,
            method: checks[i].method,
            url: redact(urls[i].href),
            outcome: 'skipped',
            attempts: 0,
            failures: [`not run: ${checks[0].name} never became ready`],
          };
        }
        next = checks.length;
      }
    }
    const worker = async (): Promise<void> => {
      while (next < checks.length) {
        const index = next++;
        results[index] = await runOne(index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, Math.max(1, checks.length - next)) }, worker));
  } finally {
    own?.close();
  }
  const verdict = judge(results, options);
  return { results, ...verdict, requests, durationMs: Math.round(performance.now() - started) };
}

export function label(r: CheckResult): string {
  switch (r.outcome) {
    case 'assertion':
      return 'assertion failed';
    case 'unreachable':
      return 'unreachable';
    case 'timeout':
      return 'timed out';
    case 'tls':
      return 'TLS error';
    case 'skipped':
      return 'skipped';
    default:
      return 'passed';
  }
}
