import * as assert from 'node:assert/strict';
import { RunReport } from '../../tasks/common/checks';
import { renderJUnit } from '../../tasks/SmokeTest/junit';
import { resultsPublishCommand } from '../../tasks/SmokeTest/report';
import { parseVsoCommands } from '../../devkit/agent/vso';

const report: RunReport = {
  results: [
    {
      name: 'ok <1>',
      method: 'GET',
      url: 'https://svc/a?x=1&y=2',
      outcome: 'passed',
      status: 200,
      durationMs: 12,
      attempts: 1,
      failures: [],
    },
    {
      name: 'bad "2"',
      method: 'GET',
      url: 'https://svc/b',
      outcome: 'assertion',
      status: 500,
      durationMs: 7,
      attempts: 2,
      failures: ['expected status 2xx, got 500'],
      bodyExcerpt: 'oops \u0001 token=hunter2 & more',
    },
    {
      name: 'gone',
      method: 'GET',
      url: 'https://svc/c',
      outcome: 'unreachable',
      durationMs: 1,
      attempts: 1,
      failures: ['connect ECONNREFUSED'],
    },
    {
      name: 'later',
      method: 'GET',
      url: 'https://svc/d',
      outcome: 'skipped',
      attempts: 0,
      failures: ['not run: ok never became ready'],
    },
  ],
  passed: 1,
  failed: 3,
  skipped: 1,
  requests: 4,
  p95Ms: 12,
  failureRate: 0.75,
  thresholds: [{ name: 'p95ThresholdMs', ok: false, message: 'p95 12 ms > 10 ms over 3 request(s)' }],
  ok: false,
  durationMs: 1500,
};

describe('SmokeTest JUnit and results.publish', () => {
  const xml = renderJUnit(report, {
    name: 'Smoke tests: https://svc',
    classname: 'SmokeTest.svc',
    timestamp: new Date('2026-11-23T10:00:00.123Z'),
    redact: (t) => t.split('hunter2').join('***'),
  });

  it('counts failures (assertions and thresholds), errors (no response) and skips as Azure DevOps reads them', () => {
    assert.match(
      xml,
      /<testsuite name="Smoke tests: https:\/\/svc" tests="5" failures="2" errors="1" skipped="1" time="1.500" timestamp="2026-11-23T10:00:00">/,
    );
    assert.match(
      xml,
      /<testcase name="bad &quot;2&quot;" classname="SmokeTest.svc" time="0.007">\n {6}<failure message="assertion failed: expected status 2xx, got 500" type="assertion">GET https:\/\/svc\/b, status 500, 7 ms, 2 attempts/,
    );
    assert.match(xml, /<error message="unreachable: connect ECONNREFUSED" type="unreachable">/);
    assert.match(xml, /<skipped message="not run: ok never became ready"\/>/);
    assert.match(xml, /<testcase name="threshold p95ThresholdMs"[^>]*>\n {6}<failure message="p95 12 ms &gt; 10 ms/);
  });

  it('escapes markup, drops control characters XML forbids, and redacts before escaping', () => {
    assert.ok(xml.includes('name="ok &lt;1&gt;"'));
    assert.ok(xml.includes('https://svc/a?x=1&amp;y=2'));
    assert.ok(!xml.includes('\u0001'));
    assert.ok(xml.includes('token=*** &amp; more'));
    assert.ok(!xml.includes('hunter2'));
  });

  it('writes a results.publish command the agent parses back to the same properties', () => {
    const line = resultsPublishCommand('/tmp/a;b]/r.xml', 'Smoke tests: https://svc/x;y]%z');
    assert.ok(line.startsWith('##vso[results.publish type=JUnit;mergeResults=false;'));
    const [cmd] = parseVsoCommands(line);
    assert.deepEqual(cmd.properties, {
      type: 'JUnit',
      mergeResults: 'false',
      runTitle: 'Smoke tests: https://svc/x;y]%z',
      publishRunAttachments: 'true',
      resultFiles: '/tmp/a;b]/r.xml',
    });
  });
});
