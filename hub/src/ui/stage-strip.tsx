/** The run's stages left to right, each with its checks and approvals (who, when, how long). */
import * as React from 'react';
import { GateView, StageView } from '../data/model';
import { HubLinks } from '../ado/links';
import { dur, when } from './format';
import { StatusIcon } from './status-icon';

export function StageStrip(props: { stages: StageView[]; links: HubLinks; runId: number }): JSX.Element {
  if (props.stages.length === 0) return <p className="mcd-empty">This run's timeline has no stages.</p>;
  return (
    <ol className="mcd-strip" data-testid="stage-strip">
      {props.stages.map((s) => (
        <li key={s.id} className="mcd-stage" data-testid="stage">
          <div className="mcd-stage-head">
            <StatusIcon status={s.result ?? s.state} />
            <a
              className="mcd-stage-name"
              data-testid="stage-link"
              href={props.links.stage(props.runId, s.id)}
              target="_top"
              rel="noopener noreferrer"
              aria-label={`Stage ${s.name} in Azure Pipelines`}
            >
              {s.name}
            </a>
            {s.attempt > 1 ? <span className="mcd-secondary"> attempt {s.attempt}</span> : null}
          </div>
          <div className="mcd-secondary">{[when(s.startTime), dur(s.durationMs)].filter(Boolean).join(' · ')}</div>
          {s.waitMs !== undefined ? <div className="mcd-secondary">waited {dur(s.waitMs)} on checks</div> : null}
          {s.gates.length ? (
            <ul className="mcd-gates">
              {s.gates.map((g) => (
                <Gate key={g.id} gate={g} href={props.links.stage(props.runId, s.id)} />
              ))}
            </ul>
          ) : null}
          {s.jobs.length ? (
            <ul className="mcd-jobs">
              {s.jobs.map((j, i) => (
                <li key={i}>
                  <StatusIcon status={j.result} /> {j.name} <span className="mcd-secondary">{dur(j.durationMs)}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ol>
  );
}

/** A check or approval; its link opens the stage's checks in the run, where the approval is reviewed. */
function Gate(props: { gate: GateView; href: string }): JSX.Element {
  const g = props.gate;
  return (
    <li className={`mcd-gate mcd-gate-${g.kind}`} data-testid="gate">
      <div>
        <StatusIcon status={g.result ?? g.state} />{' '}
        <span className="mcd-gate-kind">{g.kind === 'approval' ? 'Approval' : 'Check'}</span>{' '}
        <a
          href={props.href}
          data-testid={g.kind === 'approval' ? 'approval-link' : 'check-link'}
          target="_top"
          rel="noopener noreferrer"
          aria-label={`${g.kind === 'approval' ? 'Approval' : 'Check'} ${g.name} in Azure Pipelines`}
        >
          {g.name}
        </a>
        <span className="mcd-secondary">
          {' '}
          {g.durationMs !== undefined
            ? dur(g.durationMs)
            : g.startTime && g.state !== 'completed'
              ? `waiting since ${when(g.startTime)}`
              : ''}
        </span>
      </div>
      {g.instructions && g.state !== 'completed' ? <div className="mcd-quote">{g.instructions}</div> : null}
      {g.approvers.map((a, i) => (
        <div key={i} className="mcd-approver" data-testid="approver">
          {a.status === 'pending' ? 'waiting for' : `${a.status} by`} <strong>{a.name}</strong>
          {a.when ? <span className="mcd-secondary"> at {when(a.when)}</span> : null}
          {a.comment ? <div className="mcd-quote">{a.comment}</div> : null}
        </div>
      ))}
    </li>
  );
}
