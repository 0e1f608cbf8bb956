import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskError } from '../common/errors';
import { TaskContext, TaskOutcome } from '../common/runner';
import { RunReport, runChecks } from '../common/checks';
import { renderJUnit } from './junit';
import { SmokeTestOptions } from './options';
import { failureLines, renderChecksMarkdown, resultsPublishProperties } from './report';

/** The base URL as people may see it: no query string or fragment (they can carry keys), secrets masked. */
export function displayTarget(base: URL, redact: (t: string) => string): string {
  return redact(`${base.origin}${base.pathname === '/' ? '' : base.pathname}`);
}

export async function executeSmokeTest(ctx: TaskContext, o: SmokeTestOptions): Promise<TaskOutcome> {
  const redact = (t: string): string => ctx.secrets.redact(t);
  const target = displayTarget(o.baseUrl, redact);
  ctx.record.target = target;
  const via = o.proxy ? `, via the agent proxy ${o.proxy.url.origin}` : '';
  ctx.host.info(
    `Running ${o.checks.length} check(s) against ${target} (concurrency ${o.concurrency}, request timeout ${o.timeoutSeconds} s${o.waitForReadySeconds ? `, waiting up to ${o.waitForReadySeconds} s for '${redact(o.checks[0].name)}'` : ''}${via}).`,
  );

  const report = await runChecks(
    o.checks,
    {
      baseUrl: o.baseUrl,
      concurrency: o.concurrency,
      timeoutMs: o.timeoutSeconds * 1000,
      retries: o.retries,
      retryIntervalMs: o.retryIntervalSeconds * 1000,
      waitForReadyMs: o.waitForReadySeconds * 1000,
      p95ThresholdMs: o.p95ThresholdMs,
      maxFailureRate: o.maxFailureRate,
      signal: ctx.signal,
      proxy: o.proxy,
      // Agent.CAInfo / Agent.ClientCert*: a TLS-inspecting proxy re-signs the service's certificate.
      tls: { ...(ctx.network.ca ? { ca: ctx.network.ca } : {}), ...(ctx.network.clientCert ?? {}) },
    },
    { redact, log: (line) => ctx.host.info(line) },
  );

  fillRecord(ctx, report);
  const dir = path.join(ctx.tempDir, 'multicloud-devsecops');
  fs.mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  if (o.publishJUnit) {
    const file = path.join(dir, `SmokeTest-${id}.junit.xml`);
    const title = `Smoke tests: ${target}`;
    fs.writeFileSync(
      file,
      renderJUnit(report, {
        name: title,
        classname: `SmokeTest.${o.baseUrl.host}`,
        timestamp: new Date(Date.now() - report.durationMs),
        redact,
      }),
    );
    ctx.host.command('results.publish', resultsPublishProperties(file, title), '');
  }
  const summary = path.join(dir, `SmokeTest-${id}.checks.md`);
  fs.writeFileSync(summary, redact(renderChecksMarkdown(report, target, redact)));
  ctx.host.uploadSummary(summary, `Smoke test checks: ${target}`);

  const outputs = { passed: String(report.passed), failed: String(report.failed), p95Ms: String(report.p95Ms) };
  const totals = `${report.passed} of ${report.results.length} check(s) passed against ${target} (p95 ${report.p95Ms} ms)`;
  if (report.ok) {
    const lines = failureLines(report);
    for (const line of lines) ctx.host.warn(redact(line));
    const within = report.failed ? `; ${report.failed} failed within maxFailureRate ${o.maxFailureRate}` : '';
    return { status: report.failed ? 'succeededWithIssues' : 'succeeded', message: `${totals}${within}.`, outputs };
  }
  // The runner sets outputs only on success; a gate's later steps need the counts most when it fails.
  for (const [name, value] of Object.entries(outputs)) ctx.host.setOutput(name, value);
  throw failure(report, target, totals);
}

function fillRecord(ctx: TaskContext, report: RunReport): void {
  ctx.record.summary = `${report.passed}/${report.results.length} checks passed, p95 ${report.p95Ms} ms`;
  ctx.record.details = {
    passed: report.passed,
    failed: report.failed,
    skipped: report.skipped,
    requests: report.requests,
    p95Ms: report.p95Ms,
    failureRate: Number(report.failureRate.toFixed(4)),
    thresholds: report.thresholds,
    checks: report.results.slice(0, 500).map((r) => ({
      name: r.name,
      method: r.method,
      url: r.url,
      outcome: r.outcome,
      status: r.status,
      durationMs: r.durationMs,
      attempts: r.attempts,
      failures: r.failures.length ? r.failures : undefined,
    })),
  };
}

/** Unreachable services, TLS problems and failed assertions call for different fixes: say which. */
function failure(report: RunReport, target: string, totals: string): TaskError {
  const failed = report.results.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped');
  const answered = report.results.some((r) => r.status !== undefined);
  const breaches = report.thresholds.filter((t) => !t.ok).map((t) => `threshold ${t.name}: ${t.message}`);
  const lines = [...failureLines(report), ...breaches].map((l) => `- ${l}`).join('\n');
  if (failed.length && !answered && failed.every((r) => r.outcome === 'tls')) {
    return new TaskError(
      `SmokeTest: the TLS connection to ${target} failed for every check:\n${lines}`,
      'Fix the certificate (names, chain, expiry), or make the agent trust its CA with NODE_EXTRA_CA_CERTS.',
    );
  }
  if (failed.length && !answered) {
    return new TaskError(
      `SmokeTest: ${target} is unreachable (${failed.length} of ${report.results.length} check(s) got no response):\n${lines}`,
      'Check that the service is deployed and baseUrl is right; raise waitForReadySeconds if it is still starting.',
    );
  }
  return new TaskError(
    `SmokeTest failed: ${totals}.\n${lines}`,
    failed.length
      ? 'Fix the service or the expectations; the summary and the Tests tab list every check.'
      : 'Investigate the latency or failures, or adjust the thresholds.',
  );
}
