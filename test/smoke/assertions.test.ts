import * as assert from 'node:assert/strict';
import { evaluateExpectations } from '../../tasks/common/checks/assertions';
import { parseChecks } from '../../tasks/common/checks';
import { HttpExchange } from '../../tasks/common/checks/types';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const DAY = 86_400_000;

function exchange(over: Partial<HttpExchange> = {}): HttpExchange {
  const body = {
    status: 'UP',
    version: '1.2.3',
    uptime: 42,
    items: [
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ],
    tags: ['x', 'y'],
  };
  return {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-version': '1.2.3' },
    body: Buffer.from(JSON.stringify(body)),
    durationMs: 120,
    url: 'https://svc.example/healthz',
    certificate: { subject: 'svc.example', issuer: 'CA', validTo: new Date(NOW + 10 * DAY) },
    ...over,
  };
}

/** Each row: an `expect:` block in YAML, a response, and the failures it must produce ([] = passes). */
const cases: { why: string; expect: string; ex?: Partial<HttpExchange>; failures: RegExp[] }[] = [
  { why: 'default status passes a 200', expect: '{}', failures: [] },
  {
    why: 'default status fails a 503',
    expect: '{}',
    ex: { status: 503 },
    failures: [/^expected status 2xx, got 503$/],
  },
  { why: 'status list', expect: '{ status: [200, 204] }', ex: { status: 204 }, failures: [] },
  { why: 'status class miss', expect: '{ status: 3xx }', failures: [/expected status 3xx, got 200/] },
  { why: 'header equals', expect: '{ headers: { X-Version: 1.2.3 } }', failures: [] },
  {
    why: 'header equals miss',
    expect: '{ headers: { x-version: 2.0.0 } }',
    failures: [/expected header x-version to equal "2.0.0", got "1.2.3"/],
  },
  { why: 'header matches', expect: '{ headers: { content-type: { matches: "^application/json" } } }', failures: [] },
  {
    why: 'header missing',
    expect: '{ headers: { etag: { matches: "." } } }',
    failures: [/expected header etag, but the response has none/],
  },
  {
    why: 'header must be absent',
    expect: '{ headers: { x-version: false } }',
    failures: [/expected header x-version to be absent/],
  },
  { why: 'body contains', expect: '{ body: UP }', failures: [] },
  {
    why: 'body contains miss',
    expect: '{ body: { contains: [UP, DOWN] } }',
    failures: [/expected the body to contain "DOWN"/],
  },
  { why: 'body notContains', expect: '{ body: { notContains: error } }', failures: [] },
  { why: 'body matches with flags', expect: '{ body: { matches: "/\\"STATUS\\":\\"up\\"/i" } }', failures: [] },
  {
    why: 'body regex miss',
    expect: '{ body: { matches: "^<html" } }',
    failures: [/expected the body to match \/\^<html\//],
  },
  { why: 'json equals', expect: '{ json: { $.status: UP, "$.items[1].name": b } }', failures: [] },
  {
    why: 'json equals miss',
    expect: '{ json: { $.status: DOWN } }',
    failures: [/expected \$.status to equal "DOWN", got "UP"/],
  },
  { why: 'json deep equals', expect: '{ json: { $.tags: [x, y] } }', failures: [] },
  { why: 'json exists', expect: '{ json: [{ path: $.version }] }', failures: [] },
  {
    why: 'json exists miss',
    expect: '{ json: [{ path: $.build, exists: true }] }',
    failures: [/expected \$.build to exist, but the path selects nothing/],
  },
  { why: 'json absent', expect: '{ json: [{ path: $.error, exists: false }] }', failures: [] },
  {
    why: 'json matches',
    expect: '{ json: [{ path: $.version, matches: "^\\\\d+\\\\.\\\\d+\\\\.\\\\d+$" }] }',
    failures: [],
  },
  { why: 'json comparisons', expect: '{ json: [{ path: $.uptime, gt: 10, lt: 100 }] }', failures: [] },
  {
    why: 'json comparison miss',
    expect: '{ json: [{ path: $.uptime, gte: 60 }] }',
    failures: [/expected \$.uptime to be at least 60, got 42/],
  },
  {
    why: 'comparison on a string',
    expect: '{ json: [{ path: $.status, lt: 5 }] }',
    failures: [/expected \$.status to be less than 5, got "UP"/],
  },
  { why: 'wildcard count', expect: '{ json: [{ path: "$.items[*].id", count: 2 }] }', failures: [] },
  {
    why: 'wildcard each item',
    expect: '{ json: [{ path: "$.items[*].id", gt: 1 }] }',
    failures: [/expected \$.items\[\*\].id to be greater than 1, got 1/],
  },
  { why: 'wildcard contains', expect: '{ json: [{ path: "$.items[*].name", contains: b }] }', failures: [] },
  { why: 'array length', expect: '{ json: [{ path: $.tags, count: 3 }] }', failures: [/to have 3 item\(s\), got 2/] },
  {
    why: 'not JSON',
    expect: '{ json: { $.a: 1 } }',
    ex: { body: Buffer.from('<html>') },
    failures: [/expected a JSON body for \$.a, but it is not JSON/],
  },
  { why: 'duration', expect: '{ maxDurationMs: 100 }', failures: [/expected a response within 100 ms, took 120 ms/] },
  { why: 'certificate long enough', expect: '{ certificateValidDays: 7 }', failures: [] },
  {
    why: 'certificate too short',
    expect: '{ certificateValidDays: 30 }',
    failures: [/certificate of svc.example to be valid for 30 more day\(s\), it expires in 10.0 day\(s\)/],
  },
  {
    why: 'certificate on plain HTTP',
    expect: '{ certificateValidDays: 1 }',
    ex: { certificate: undefined },
    failures: [/not TLS/],
  },
  {
    why: 'several failures at once',
    expect: '{ status: 201, body: nope, maxDurationMs: 1 }',
    failures: [/status 201/, /contain "nope"/, /within 1 ms/],
  },
];

describe('SmokeTest assertions', () => {
  for (const c of cases) {
    it(c.why, () => {
      const parsed = parseChecks(`- name: t\n  path: /\n  expect: ${c.expect}\n`);
      if (!parsed.ok) assert.fail(parsed.error);
      const failures = evaluateExpectations(parsed.value[0].expect, exchange(c.ex), NOW);
      assert.equal(failures.length, c.failures.length, failures.join('\n'));
      c.failures.forEach((re, i) => assert.match(failures[i], re));
    });
  }
});
