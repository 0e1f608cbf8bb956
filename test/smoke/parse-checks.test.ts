import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../devkit/project';
import { parseChecks } from '../../tasks/common/checks';

const ok = (text: string, opts = {}) => {
  const parsed = parseChecks(text, opts);
  if (!parsed.ok) assert.fail(parsed.error);
  return parsed.value;
};

describe('SmokeTest check parser', () => {
  it('reads a full check with every expectation', () => {
    const [c] = ok(`
- name: health
  method: post
  path: /healthz?verbose=1
  headers: { X-Trace: abc, X-Num: 7 }
  json: { ping: true }
  timeoutSeconds: 2.5
  retries: 3
  followRedirects: true
  expect:
    status: [2xx, 304]
    headers:
      content-type: { matches: "^application/json" }
      x-service-version: 1.2.3
      x-absent: false
    body: { contains: [UP], notContains: error, matches: '/"status":\\s*"up"/i' }
    json:
      - { path: $.status, equals: UP }
      - { path: "$.checks[*].ok", count: 2 }
      - { path: $.uptime, gt: 0, lte: 100 }
    maxDurationMs: 500
    certificateValidDays: 14
`);
    assert.equal(c.name, 'health');
    assert.equal(c.method, 'POST');
    assert.deepEqual(c.target, { kind: 'path', value: '/healthz?verbose=1' });
    assert.deepEqual(c.headers, { 'X-Trace': 'abc', 'X-Num': '7', 'Content-Type': 'application/json' });
    assert.equal(c.body, '{"ping":true}');
    assert.equal(c.timeoutMs, 2500);
    assert.equal(c.retries, 3);
    assert.equal(c.followRedirects, true);
    assert.equal(c.expect.status.text, '2xx or 304');
    assert.deepEqual(
      c.expect.headers.map((h) => h.name),
      ['content-type', 'x-service-version', 'x-absent'],
    );
    assert.equal(c.expect.headers[2].expect.exists, false);
    assert.ok(c.expect.body?.matches?.[0].flags.includes('i'));
    assert.equal(c.expect.json.length, 3);
    assert.deepEqual(c.expect.json[2].compare, [
      { op: 'gt', value: 0 },
      { op: 'lte', value: 100 },
    ]);
    assert.equal(c.expect.maxDurationMs, 500);
    assert.equal(c.expect.certificateValidDays, 14);
  });

  it('reads JSON, the map form with defaults, and the JSONPath-map shorthand', () => {
    const checks = ok(
      JSON.stringify({
        defaults: { headers: { Accept: 'application/json' }, retries: 1 },
        checks: [
          { path: '/a' },
          {
            name: 'b',
            url: 'https://other.example/b',
            headers: { Accept: 'text/plain' },
            retries: 0,
            expect: { json: { '$.status': 'UP', '$.n': { gte: 2 } } },
          },
        ],
      }),
    );
    assert.equal(checks[0].name, 'GET /a');
    assert.deepEqual(checks[0].headers, { Accept: 'application/json' });
    assert.equal(checks[0].retries, 1);
    assert.equal(checks[0].expect.status.text, '2xx', 'default status is any 2xx');
    assert.deepEqual(checks[1].headers, { Accept: 'text/plain' });
    assert.equal(checks[1].retries, 0);
    assert.equal(checks[1].expect.json[0].equals, 'UP');
    assert.deepEqual(checks[1].expect.json[1].compare, [{ op: 'gte', value: 2 }]);
  });

  it('expands $(variables), reports secret values at once, and names a missing one', () => {
    const secrets: string[] = [];
    const variables = (name: string) =>
      name === 'api.token'
        ? { value: 's3cr3t', secret: true }
        : name === 'Build.BuildId'
          ? { value: '42', secret: false }
          : undefined;
    const [c] = ok('- name: a\n  path: /b/$(Build.BuildId)\n  headers: { Authorization: Bearer $(api.token) }\n', {
      variables,
      onSecret: (v: string) => secrets.push(v),
    });
    assert.equal(c.target.value, '/b/42');
    assert.equal(c.headers.Authorization, 'Bearer s3cr3t');
    assert.deepEqual(secrets, ['s3cr3t']);
    const bad = parseChecks('- name: a\n  path: /\n  headers: { X-Key: $(nope) }\n', { variables });
    assert.ok(!bad.ok);
    if (!bad.ok)
      assert.equal(
        bad.error,
        "check 'a': headers.X-Key: refers to the pipeline variable $(nope), which is not defined",
      );
    assert.equal(ok('- path: /$(x)\n')[0].target.value, '/$(x)', 'no lookup: left as written');
  });

  const rejected: { why: string; text: string; error: RegExp }[] = [
    { why: 'not YAML', text: '- name: [unclosed', error: /not valid YAML or JSON/ },
    { why: 'empty', text: '', error: /non-empty YAML list/ },
    { why: 'a scalar', text: 'hello', error: /non-empty YAML list/ },
    { why: 'duplicate YAML keys', text: '- path: /a\n  path: /b\n', error: /not valid YAML/ },
    { why: 'unknown top-level key', text: 'checks: [{path: /}]\nchecs: 1\n', error: /checs: is not a known key/ },
    {
      why: 'unknown default key',
      text: 'defaults: { timeout: 3 }\nchecks: [{path: /}]\n',
      error: /defaults.timeout: is not a known key/,
    },
    {
      why: 'unknown check key',
      text: '- name: a\n  path: /\n  expected: {}\n',
      error: /check 'a': expected: is not a known key; use one of: name, method/,
    },
    {
      why: 'unknown expect key',
      text: '- name: a\n  path: /\n  expect: { statuss: 200 }\n',
      error: /check 'a': expect.statuss: is not a known key/,
    },
    {
      why: 'bad status range',
      text: '- name: a\n  path: /\n  expect: { status: 2xy }\n',
      error: /check 'a': expect.status: '2xy' is not a status/,
    },
    {
      why: 'inverted range',
      text: '- name: a\n  path: /\n  expect: { status: 300-200 }\n',
      error: /check 'a': expect.status: .*not a range/,
    },
    {
      why: 'bad regex in body',
      text: '- name: a\n  path: /\n  expect: { body: { matches: "(" } }\n',
      error: /check 'a': expect.body.matches: '\(' is not a valid regular expression/,
    },
    {
      why: 'bad regex in header',
      text: '- name: a\n  path: /\n  expect: { headers: { etag: { matches: "[" } } }\n',
      error: /expect.headers.etag.matches: .*not a valid regular expression/,
    },
    {
      why: 'bad JSONPath',
      text: '- name: a\n  path: /\n  expect: { json: [{ path: status, equals: 1 }] }\n',
      error: /check 'a': expect.json\[0\].path: 'status' does not start with \$/,
    },
    {
      why: 'bad JSONPath in map form',
      text: '- name: a\n  path: /\n  expect: { json: { "$.a[": 1 } }\n',
      error: /expect.json\['\$.a\['\].path: .*unclosed/,
    },
    {
      why: 'unknown JSON operator',
      text: '- name: a\n  path: /\n  expect: { json: [{ path: $.a, equal: 1 }] }\n',
      error: /expect.json\[0\].equal: is not a known key/,
    },
    {
      why: 'non-numeric comparison',
      text: '- name: a\n  path: /\n  expect: { json: [{ path: $.a, gt: many }] }\n',
      error: /expect.json\[0\].gt: string "many" is not a number/,
    },
    { why: 'no path or url', text: '- name: a\n', error: /check 'a': path: is required/ },
    {
      why: 'both path and url',
      text: '- name: a\n  path: /\n  url: https://x\n',
      error: /url: is set together with path/,
    },
    { why: 'relative url', text: '- name: a\n  url: /x\n', error: /url: must be an absolute http\(s\) URL/ },
    {
      why: 'url with credentials',
      text: '- name: a\n  url: https://u:p@x.example/\n',
      error: /url: contains credentials/,
    },
    {
      why: 'bad method',
      text: '- name: a\n  path: /\n  method: FETCH\n',
      error: /method: string "FETCH" is not one of GET/,
    },
    {
      why: 'body and json',
      text: '- name: a\n  path: /\n  body: x\n  json: {}\n',
      error: /json: is set together with body/,
    },
    {
      why: 'object body',
      text: '- name: a\n  path: /\n  body: { a: 1 }\n',
      error: /body: must be a string \(use json/,
    },
    {
      why: 'header injection',
      text: '- name: a\n  path: /\n  headers: { X-A: "v\\r\\nX-B: w" }\n',
      error: /headers.X-A: contains a line break/,
    },
    {
      why: 'bad header name',
      text: '- name: a\n  path: /\n  headers: { "X A": v }\n',
      error: /headers.X A: is not a valid header name/,
    },
    {
      why: 'negative maxDuration',
      text: '- name: a\n  path: /\n  expect: { maxDurationMs: -5 }\n',
      error: /expect.maxDurationMs: number -5 is not a number from 1/,
    },
    {
      why: 'fractional retries',
      text: '- name: a\n  path: /\n  retries: 1.5\n',
      error: /retries: number 1.5 is not a whole number/,
    },
    {
      why: 'duplicate names',
      text: '- name: a\n  path: /\n- name: A\n  path: /x\n',
      error: /check 'A': name: 'A' is used by an earlier check/,
    },
    {
      why: 'a check that is not a map',
      text: '- /healthz\n',
      error: /check #1: \(check\): string "\/healthz" is not a map/,
    },
    { why: 'unnamed check', text: '- path: /\n  expect: { status: nope }\n', error: /check #1: expect.status/ },
  ];
  for (const c of rejected) {
    it(`rejects ${c.why}`, () => {
      const parsed = parseChecks(c.text);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, c.error);
    });
  }

  it('collects every problem in one pass, and never echoes a header value', () => {
    const parsed = parseChecks(
      '- name: a\n  path: /\n  headers: { Authorization: [Bearer, t0ken-value] }\n  expect: { status: 9xx, body: { matches: "(" } }\n- name: b\n',
    );
    assert.ok(!parsed.ok);
    if (parsed.ok) return;
    assert.equal(parsed.errors.length, 4, parsed.error);
    assert.match(parsed.error, /^4 problems in the checks:\n- check 'a': headers.Authorization: must be a string/);
    assert.ok(!parsed.error.includes('t0ken-value'));
  });

  it('accepts the example in the task README', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'tasks', 'SmokeTest', 'README.md'), 'utf8');
    const block = /checks: \|\n((?: {6}.*\n)+)/.exec(readme)?.[1];
    assert.ok(block, 'the README has an inline checks example');
    const text = block
      .split('\n')
      .map((l) => l.slice(6))
      .join('\n');
    const checks = ok(text, {
      variables: (n: string) => (n === 'ordersApiToken' ? { value: 'tok', secret: true } : undefined),
    });
    assert.deepEqual(
      checks.map((c) => c.name),
      ['ready', 'orders API', 'create is refused without a body'],
    );
  });
});
