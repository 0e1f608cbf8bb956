import { CheckResult, RunReport, outcomeLabel } from '../common/checks';

/** XML 1.0 forbids most control characters even when escaped: drop them. */
function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- XML 1.0 forbids these control characters: removing them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

/** What came back, for a failure's text: status, duration, attempts and a body excerpt. */
export function describeResponse(r: CheckResult): string {
  const parts = [`${r.method} ${r.url}`];
  if (r.status !== undefined) parts.push(`status ${r.status}`);
  if (r.durationMs !== undefined) parts.push(`${r.durationMs} ms`);
  if (r.attempts > 1) parts.push(`${r.attempts} attempts`);
  return parts.join(', ');
}

function testcase(r: CheckResult, classname: string, xml: (t: string) => string): string {
  const head = `    <testcase name="${xml(r.name)}" classname="${xml(classname)}" time="${seconds(r.durationMs)}">`;
  const body = [
    `${describeResponse(r)}`,
    ...r.failures.map((f) => `- ${f}`),
    ...(r.bodyExcerpt ? [`body: ${r.bodyExcerpt}`] : []),
  ].join('\n');
  let inner: string;
  if (r.outcome === 'passed') inner = `      <system-out>${xml(body)}</system-out>`;
  else if (r.outcome === 'skipped') inner = `      <skipped message="${xml(r.failures[0] ?? 'not run')}"/>`;
  else {
    // JUnit's failure = an assertion did not hold; error = no answer to assert on.
    const tag = r.outcome === 'assertion' ? 'failure' : 'error';
    inner = `      <${tag} message="${xml(`${outcomeLabel(r)}: ${r.failures[0] ?? ''}`)}" type="${r.outcome}">${xml(body)}</${tag}>`;
  }
  return `${head}\n${inner}\n    </testcase>`;
}

/**
 * JUnit XML as Azure DevOps' JUnit reader expects it: one suite per run, one case per check,
 * plus one case per k6-style threshold so a threshold breach shows in the Tests tab too.
 * Every text is redacted before it is escaped.
 */
export function renderJUnit(
  report: RunReport,
  suite: { name: string; classname: string; timestamp: Date; redact: (t: string) => string },
): string {
  // Redact before escaping: escaping could split a secret that contains & or <.
  const xml = (t: string): string => escapeXml(suite.redact(t));
  const cases = report.results.map((r) => testcase(r, suite.classname, xml));
  for (const t of report.thresholds) {
    const inner = t.ok
      ? `      <system-out>${xml(t.message)}</system-out>`
      : `      <failure message="${xml(t.message)}" type="threshold">${xml(t.message)}</failure>`;
    cases.push(
      `    <testcase name="${xml(`threshold ${t.name}`)}" classname="${xml(suite.classname)}" time="0.000">\n${inner}\n    </testcase>`,
    );
  }
  const failures =
    report.results.filter((r) => r.outcome === 'assertion').length + report.thresholds.filter((t) => !t.ok).length;
  const errors = report.results.filter((r) => !['passed', 'assertion', 'skipped'].includes(r.outcome)).length;
  const tests = report.results.length + report.thresholds.length;
  const attrs = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${report.skipped}" time="${seconds(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="SmokeTest" ${attrs}>`,
    `  <testsuite name="${xml(suite.name)}" ${attrs} timestamp="${suite.timestamp.toISOString().replace(/\.\d+Z$/, '')}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
