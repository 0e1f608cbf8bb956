/** One record in the Run view, in the shapes the tasks write: canary steps, smoke checks, DB lifecycle, secrets. */
import * as React from 'react';
import { Card } from 'azure-devops-ui/Card';
import { MessageCard, MessageCardSeverity } from 'azure-devops-ui/MessageCard';
import { Pill, PillSize, PillVariant } from 'azure-devops-ui/Pill';
import { envOf } from '../data/matrix';
import { LedgerRecord } from '../data/model';
import {
  MetricView,
  canaryAnalysisPlan,
  canaryMetricsPlan,
  canarySteps,
  dbSteps,
  promoteReferrers,
  scalarFacts,
  secretSyncs,
  smokeResults,
  smokeThresholds,
} from '../data/run-details';
import { dur, when } from './format';
import { StatusIcon } from './status-icon';
import { Truncated } from './truncated';
import { Verification } from './record-gate';

export function RecordCard(props: { record: LedgerRecord }): JSX.Element {
  const r = props.record;
  const facts = scalarFacts(r);
  return (
    <Card className="mcd-record-card">
      <section className="mcd-record" data-testid="record" aria-label={`${r.task} in ${envOf(r)}`}>
        <header className="mcd-record-head">
          <StatusIcon status={r.status} />
          <h3 className="mcd-record-task">{r.task}</h3>
          <Pill size={PillSize.compact} variant={PillVariant.outlined} className="mcd-pill">
            {r.status}
          </Pill>
          <span className="mcd-secondary">
            {envOf(r)} · {when(r.startedAt)} · {dur(r.durationMs)}
          </span>
        </header>
        {r.flag ? (
          <MessageCard className="mcd-flag" severity={MessageCardSeverity.Warning} role="alert">
            Not counted in the matrix: {r.flag}
          </MessageCard>
        ) : null}
        <div className="mcd-record-summary">{r.summary}</div>
        {r.artifact ? (
          <div className="mcd-artifact">
            <span className="mcd-artifact-repo">
              {r.artifact.registry ? `${r.artifact.registry}/` : ''}
              {r.artifact.repository}
            </span>
            {r.artifact.tags?.length ? (
              <span className="mcd-tags">
                {r.artifact.tags.map((t) => (
                  <Truncated key={t} text={t} mono copy={false} className="mcd-tag" />
                ))}
              </span>
            ) : null}
            {r.artifact.digest ? <Truncated text={r.artifact.digest} label="digest" mono /> : null}
          </div>
        ) : null}
        {r.target ? (
          <div className="mcd-secondary mcd-target">
            target: <Truncated text={r.target} label="target" />
          </div>
        ) : null}
        {r.error ? (
          <div className="mcd-error" data-testid="record-error">
            {r.error}
          </div>
        ) : null}
        {r.task === 'CanaryShift' ? <Canary record={r} /> : null}
        {r.task === 'SmokeTest' ? <Smoke record={r} /> : null}
        {r.task === 'OracleDbProvision' ? <Lifecycle record={r} /> : null}
        {r.task === 'KeyVaultToOci' ? <Secrets record={r} /> : null}
        {r.task === 'AcrPromote' ? <Verification record={r} /> : null}
        {r.task === 'AcrPromote' ? <Referrers record={r} /> : null}
        {facts.length ? (
          <dl className="mcd-facts">
            {facts.map(([k, v]) => (
              <React.Fragment key={k}>
                <dt>{k}</dt>
                <dd>
                  <Truncated text={v} label={k} copy={v.length > 40} />
                </dd>
              </React.Fragment>
            ))}
          </dl>
        ) : null}
      </section>
    </Card>
  );
}

function Canary(props: { record: LedgerRecord }): JSX.Element | null {
  const steps = canarySteps(props.record);
  const plan = canaryAnalysisPlan(props.record);
  const metricsPlan = canaryMetricsPlan(props.record);
  if (!steps.length && !plan) return null;
  return (
    <div className="mcd-canary" data-testid="canary-steps">
      {plan ? <div className="mcd-secondary">analysis: {plan}</div> : null}
      {metricsPlan.map((m) => (
        <div key={m} className="mcd-secondary" data-testid="canary-metric-plan">
          metric {m}
        </div>
      ))}
      <ol className="mcd-steps">
        {steps.map((s, i) => (
          <li
            key={i}
            className={`mcd-step mcd-step-${s.state}`}
            data-testid="canary-step"
            data-state={s.state}
            data-kind={s.kind}
          >
            <span className="mcd-step-time mcd-secondary">{when(s.at)}</span>
            <span className="mcd-step-bar" aria-hidden="true">
              {s.weight !== undefined ? (
                <span
                  className={`mcd-step-fill mcd-fill-${s.state}`}
                  style={{ width: `${Math.max(0, Math.min(100, s.weight))}%` }}
                />
              ) : null}
            </span>
            <StatusIcon status={s.state === 'failed' ? 'failed' : s.state === 'ok' ? 'succeeded' : 'skipped'} />
            <span className="mcd-step-label">{s.label}</span>
            {s.metrics.length || s.note ? (
              <ul className="mcd-measurements" data-testid="measurements">
                {s.metrics.map((m, k) => (
                  <Metric key={k} metric={m} />
                ))}
                {s.note ? <li className="mcd-secondary">{s.note}</li> : null}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** One metric of an analysis step: its verdict and condition, then each measurement. */
function Metric(props: { metric: MetricView }): JSX.Element {
  const m = props.metric;
  return (
    <li data-testid="canary-metric" data-passed={String(m.passed)} data-metric={m.name}>
      <span className={m.passed ? '' : 'mcd-error'}>
        {m.passed ? '✓' : '✗'} <strong>{m.name}</strong>
        {m.provider ? ` (${m.provider})` : ''}
        {m.condition ? ` · ${m.condition}` : ''}
        {m.value !== undefined ? ` · last ${m.value}` : ''}
        {m.failures ? ` · ${m.failures} failed` : ''}
        {m.inconclusive ? ` · ${m.inconclusive} without data` : ''}
      </span>
      {!m.passed && m.reason ? <div className="mcd-error">{m.reason}</div> : null}
      <ul className="mcd-measurements">
        {m.measurements.map((x, k) => (
          <li key={k} className={x.passed ? '' : 'mcd-error'} data-testid="measurement" data-outcome={x.outcome}>
            {x.passed ? '✓' : '✗'} {x.value}
            {x.outcome !== 'pass' && x.outcome !== 'fail' ? ` (${x.outcome})` : ''}
            {x.detail ? ` · ${x.detail}` : ''} <span className="mcd-secondary">{when(x.at)}</span>
          </li>
        ))}
      </ul>
    </li>
  );
}

function Smoke(props: { record: LedgerRecord }): JSX.Element | null {
  const checks = smokeResults(props.record);
  const thresholds = smokeThresholds(props.record);
  if (!checks.length && !thresholds.length) return null;
  return (
    <table className="mcd-table mcd-compact" data-testid="smoke-results">
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Request</th>
          <th scope="col">Result</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c, i) => (
          <tr key={i} data-testid="smoke-check" data-passed={String(c.passed)}>
            <td>
              <StatusIcon status={c.passed ? 'passed' : c.outcome === 'skipped' ? 'skipped' : 'failed'} /> {c.name}
            </td>
            <td className="mcd-secondary">
              <Truncated text={c.request ?? ''} label="request" copy={false} />
            </td>
            <td className="mcd-nowrap">
              {c.status ?? c.outcome}
              {c.durationMs !== undefined ? ` · ${c.durationMs} ms` : ''}
              {c.attempts && c.attempts > 1 ? ` · ${c.attempts} attempts` : ''}
            </td>
            <td className={c.passed ? 'mcd-secondary' : 'mcd-error'} data-testid="smoke-failures">
              {c.failures.join('; ')}
              {c.excerpt ? <div className="mcd-mono mcd-secondary mcd-excerpt">{c.excerpt}</div> : null}
            </td>
          </tr>
        ))}
        {thresholds.map((t) => (
          <tr key={t.name}>
            <td>
              <StatusIcon status={t.ok ? 'passed' : 'failed'} /> {t.name}
            </td>
            <td colSpan={3} className={t.ok ? 'mcd-secondary' : 'mcd-error'}>
              {t.message}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Lifecycle(props: { record: LedgerRecord }): JSX.Element | null {
  const steps = dbSteps(props.record);
  if (!steps.length) return null;
  return (
    <ol className="mcd-events" data-testid="db-lifecycle">
      {steps.map((s, i) => (
        <li key={i}>
          <strong>{s.description ?? s.step}</strong>{' '}
          <span className="mcd-secondary">
            {when(s.startedAt)} · {dur(s.durationMs)}
            {s.ids.length ? ` · ${s.ids.join(', ')}` : ''}
          </span>
          {s.states.length ? (
            <div className="mcd-states" data-testid="db-states">
              {s.states.map((st, k) => (
                <span key={k} className="mcd-state">
                  {k ? '→ ' : ''}
                  <span className="mcd-mono">{st.state}</span>{' '}
                  <span className="mcd-secondary">+{dur(st.atMs)}</span>{' '}
                </span>
              ))}
            </div>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

function Secrets(props: { record: LedgerRecord }): JSX.Element | null {
  const secrets = secretSyncs(props.record);
  if (!secrets.length) return null;
  return (
    <table className="mcd-table mcd-compact" data-testid="secret-sync">
      <thead>
        <tr>
          <th scope="col">Key Vault secret</th>
          <th scope="col">OCI secret</th>
          <th scope="col">Action</th>
          <th scope="col">Outcome</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {secrets.map((s, i) => (
          <tr key={i} data-testid="secret-row">
            <td className="mcd-mono">{s.source}</td>
            <td className="mcd-mono">{s.target}</td>
            <td>
              {s.action}
              {s.restored ? ' (restored)' : ''}
            </td>
            <td>
              <StatusIcon
                status={s.outcome === 'failed' ? 'failed' : s.outcome === 'skipped' ? 'skipped' : 'succeeded'}
              />{' '}
              {s.outcome}
              {s.version !== undefined ? <span data-testid="secret-version"> · OCI version {s.version}</span> : null}
            </td>
            <td className={s.outcome === 'failed' ? 'mcd-error' : 'mcd-secondary'}>
              {s.message ?? ''}
              {s.metaChanges?.length ? <div>metadata written: {s.metaChanges.join(', ')}</div> : null}
              {s.timeOfDeletion ? <div>deletion scheduled for {when(s.timeOfDeletion)}</div> : null}
              {s.secretId ? <Truncated text={s.secretId} label="secret OCID" mono /> : null}
              {s.sourceVersion ? (
                <span className="mcd-secondary">
                  {' '}
                  source version <Truncated text={s.sourceVersion} label="source version" mono copy={false} />
                </span>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Referrers(props: { record: LedgerRecord }): JSX.Element | null {
  const refs = promoteReferrers(props.record);
  if (!refs.length) return null;
  return (
    <ul className="mcd-secrets" data-testid="referrers">
      {refs.map((x) => (
        <li key={x.digest}>
          {x.type ?? 'referrer'}: <Truncated text={x.digest} label="referrer digest" mono />{' '}
          <span className="mcd-secondary">
            {x.copied ? 'copied' : 'already there'}
            {x.via ? ` · found via ${x.via}` : ''}
            {x.tag ? ` (tag ${x.tag})` : ''}
            {x.subject ? ' · for ' : ''}
          </span>
          {x.subject ? <Truncated text={x.subject} label="subject digest" mono copy={false} /> : null}
        </li>
      ))}
    </ul>
  );
}
