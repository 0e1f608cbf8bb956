import { JsonPath } from './jsonpath';
import { StatusMatcher } from './status-range';

/** A string expectation: exact value, regular expression, substring or presence. */
export interface TextExpectation {
  equals?: string;
  matches?: RegExp;
  contains?: string[];
  exists?: boolean;
}

export type JsonComparison = 'gt' | 'gte' | 'lt' | 'lte';

/** One JSONPath assertion; every operator given must hold. */
export interface JsonExpectation {
  path: JsonPath;
  equals?: unknown;
  notEquals?: unknown;
  exists?: boolean;
  matches?: RegExp;
  contains?: unknown;
  count?: number;
  compare?: { op: JsonComparison; value: number }[];
}

export interface BodyExpectation {
  contains?: string[];
  notContains?: string[];
  matches?: RegExp[];
}

export interface Expectations {
  status: StatusMatcher;
  headers: { name: string; expect: TextExpectation }[];
  body?: BodyExpectation;
  json: JsonExpectation[];
  maxDurationMs?: number;
  certificateValidDays?: number;
}

/** A validated check, ready to run: nothing in it can fail to parse any more. */
export interface CheckSpec {
  name: string;
  method: string;
  /** Relative to the base URL (path) or absolute (url); resolved when the run starts. */
  target: { kind: 'path' | 'url'; value: string };
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  retries?: number;
  followRedirects: boolean;
  expect: Expectations;
}

/** How a check ended: only `passed` is a pass; the others are different kinds of failure. */
export type CheckOutcome = 'passed' | 'assertion' | 'unreachable' | 'timeout' | 'tls' | 'skipped';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validTo: Date;
}

/** What came back from one request; the body is kept only as far as assertions need it. */
export interface HttpExchange {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  durationMs: number;
  certificate?: CertificateInfo;
  url: string;
}

export interface CheckResult {
  name: string;
  method: string;
  /** The URL called, for people: the caller's redaction applies before it is shown anywhere. */
  url: string;
  outcome: CheckOutcome;
  /** Status of the last attempt, when a response came back. */
  status?: number;
  durationMs?: number;
  attempts: number;
  /** One line per failed expectation (or the transport error), already redacted. */
  failures: string[];
  /** A short, redacted excerpt of the response body, for failures only. */
  bodyExcerpt?: string;
  /** True when a transport failure leaves it unknown whether the service processed the request. */
  maybeProcessed?: boolean;
}

export interface ThresholdResult {
  name: string;
  ok: boolean;
  message: string;
}

export interface RunReport {
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Requests sent, retries and readiness polls included. */
  requests: number;
  p95Ms: number;
  failureRate: number;
  thresholds: ThresholdResult[];
  /** True when every check passed, or failures stayed within maxFailureRate, and every threshold held. */
  ok: boolean;
  durationMs: number;
}
