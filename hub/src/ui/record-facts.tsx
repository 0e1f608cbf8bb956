/** One record in the Run view: canary steps over time, smoke results, DB and secret-sync events. */
import * as React from 'react';
import { envOf } from '../data/matrix';
import { LedgerRecord } from '../data/model';
import { canarySteps, dbEvents, scalarFacts, secretSyncs, smokeResults } from '../data/run-details';
import { dur, when } from './format';
import { StatusIcon } from './status-icon';

export function RecordCard(props: { record: LedgerRecord }): JSX.Element {
  const r = props.record;
  const steps = canarySteps(r);
  const smoke = smokeResults(r);
  const events = dbEvents(r);
  const secrets = secretSyncs(r);
  const facts = scalarFacts(r);
  return (
    <section className="mcd-record" data-testid="record">
      <header className="mcd-record-head">
        <StatusIcon status={r.status} />
        <span className="mcd-record-task">{r.task}</span>
        <span className="mcd-secondary">{envOf(r)} · {when(r.startedAt)} · {dur(r.durationMs)}</span>
      </header>
      <div className="mcd-record-summary">{r.summary}</div>
      {r.artifact ? (
        <div className="mcd-mono mcd-secondary">
          {r.artifact.repository}
          {r.artifact.digest ? `@${r.artifact.digest}` : ''}
          {r.artifact.tags?.length ? ` (${r.artifact.tags.join(', ')})` : ''}
        </div>
      ) : null}
      {r.target ? <div className="mcd-secondary">target: {r.target}</div> : null}
      {r.error ? <div className="mcd-error">{r.error}</div> : null}
      {steps.length ? (
        <div className="mcd-canary" data-testid="canary-steps">
          {steps.map((s, i) => (
            <div key={i} className="mcd-step">
              <span className="mcd-step-time mcd-secondary">{when(s.at)}</span>
              <span className="mcd-step-bar"><span className={`mcd-step-fill mcd-step-${s.outcome === 'fail' ? 'fail' : 'ok'}`} style={{ width: `${Math.max(0, Math.min(100, s.weight))}%` }} /></span>
              <span className="mcd-step-weight">{s.weight}%</span>
              <StatusIcon status={s.outcome} />
              <span className="mcd-secondary">{s.outcome ?? ''} {s.metrics.map((m) => `${m.name} ${m.value}${m.ok === false ? ' ✗' : ''}`).join(', ')}</span>
            </div>
          ))}
        </div>
      ) : null}
      {smoke.length ? (
        <table className="mcd-table mcd-compact" data-testid="smoke-results">
          <tbody>
            {smoke.map((c, i) => (
              <tr key={i}>
                <td><StatusIcon status={c.passed ? 'passed' : 'failed'} /> {c.name}</td>
                <td className="mcd-nowrap mcd-secondary">{c.durationMs !== undefined ? `${c.durationMs} ms` : ''}</td>
                <td className={c.passed ? 'mcd-secondary' : 'mcd-error'}>{c.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {events.length ? (
        <ol className="mcd-events" data-testid="db-events">
          {events.map((e, i) => (
            <li key={i}><span className="mcd-secondary">{when(e.at)}</span> <strong>{e.what}</strong> {e.message ?? ''}</li>
          ))}
        </ol>
      ) : null}
      {secrets.length ? (
        <ul className="mcd-secrets" data-testid="secret-sync">
          {secrets.map((s, i) => (
            <li key={i}><span className="mcd-mono">{s.name}</span> <span className="mcd-secondary">{s.action}</span></li>
          ))}
        </ul>
      ) : null}
      {facts.length ? (
        <dl className="mcd-facts">
          {facts.map(([k, v]) => (
            <React.Fragment key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </React.Fragment>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
