import { formatCommand } from '../common/vso-command';
import { escapeMarkdown } from '../common/ledger';
import { CheckResult, RunReport, outcomeLabel } from '../common/checks';
import { describeResponse } from './junit';

/** `##vso[results.publish …]` properties: the agent publishes the JUnit file as a test run in the Tests tab. */
export function resultsPublishProperties(file: string, runTitle: string): Record<string, string> {
  return { type: 'JUnit', mergeResults: 'false', runTitle, publishRunAttachments: 'true', resultFiles: file };
}

export function resultsPublishCommand(file: string, runTitle: string): string {
  return formatCommand('results.publish', resultsPublishProperties(file, runTitle), '');
}

const MAX_ROWS = 200;

/** Per-check table for the run's Extensions tab; the runner's own summary carries the totals. */
export function renderChecksMarkdown(report: RunReport, target: string, redact: (t: string) => string): string {
  const cell = (t: string): string => escapeMarkdown(redact(t));
  const icon = (r: CheckResult): string => (r.outcome === 'passed' ? '✅' : r.outcome === 'skipped' ? '⏭️' : '❌');
  const rows = report.results.slice(0, MAX_ROWS).map((r) => {
    const details =
      r.outcome === 'passed'
        ? ''
        : `${outcomeLabel(r)}: ${r.failures.join('; ')}${r.bodyExcerpt ? ` — body: ${r.bodyExcerpt}` : ''}`;
    return `| ${icon(r)} | ${cell(r.name)} | ${cell(`${r.method} ${r.url}`)} | ${r.status ?? ''} | ${r.durationMs ?? ''} | ${cell(details)} |`;
  });
  const more =
    report.results.length > MAX_ROWS
      ? ['', `…and ${report.results.length - MAX_ROWS} more checks (see the Tests tab).`]
      : [];
  const thresholds = report.thresholds.map((t) => `- ${t.ok ? '✅' : '❌'} ${cell(t.message)}`);
  return [
    `### Smoke checks against ${cell(target)}`,
    '',
    `${report.passed} passed, ${report.failed} failed${report.skipped ? ` (${report.skipped} not run)` : ''}, p95 ${report.p95Ms} ms, ${report.requests} request(s) in ${(report.durationMs / 1000).toFixed(1)} s.`,
    '',
    '| | Check | Request | Status | ms | Details |',
    '|---|---|---|---|---|---|',
    ...rows,
    ...more,
    ...(thresholds.length ? ['', '**Thresholds**', '', ...thresholds] : []),
    '',
  ].join('\n');
}

/** One line per failed check: the check, the expectation, what came back. */
export function failureLines(report: RunReport, max = 10): string[] {
  const failed = report.results.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped');
  const lines = failed.slice(0, max).map((r) => {
    const body = r.bodyExcerpt
      ? `; body: ${r.bodyExcerpt.length > 120 ? `${r.bodyExcerpt.slice(0, 120)}…` : r.bodyExcerpt}`
      : '';
    return `check '${r.name}' (${describeResponse(r)}) ${outcomeLabel(r)}: ${r.failures.join('; ')}${body}`;
  });
  if (failed.length > max)
    lines.push(`…and ${failed.length - max} more failed checks (see the Tests tab or the summary).`);
  return lines;
}
