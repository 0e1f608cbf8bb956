/** What a matrix cell adds below its version: who approved it (with a link to the stage's approval) and what to roll back to. */
import * as React from 'react';
import { VssPersona } from 'azure-devops-ui/VssPersona';
import { HubLinks } from '../ado/links';
import { VersionAt } from '../data/env-diff';
import { StageGate } from '../data/run-gates';

export function CellApproval(props: { gate: StageGate; runId: number; links: HubLinks }): JSX.Element {
  const { gate } = props;
  const decided = gate.approvers.filter((a) => a.status !== 'pending');
  const names = decided.map((a) => a.name).join(', ') || 'nobody yet';
  const verb = decided.some((a) => a.status === 'rejected') ? 'rejected by' : 'approved by';
  return (
    <div
      className="mcd-approval"
      data-testid="cell-approver"
      title={decided
        .map((a) => a.comment)
        .filter(Boolean)
        .join(' · ')}
    >
      {decided.slice(0, 1).map((a) => (
        <VssPersona key={a.name} displayName={a.name} size="extra-small" suppressPersonaCard className="mcd-persona" />
      ))}
      <span className="mcd-trunc-text">
        {verb} {names}
      </span>
      <a
        className="mcd-deep"
        data-testid="approval-link"
        href={props.links.stage(props.runId, gate.stageId)}
        target="_top"
        rel="noopener noreferrer"
        aria-label={`Open the approval of stage ${gate.stageName} in Azure Pipelines`}
      >
        ↗
      </a>
    </div>
  );
}

export function CellRollback(props: { hint: VersionAt; links: HubLinks }): JSX.Element {
  const run = props.hint.record.run;
  const runId = Number(run.buildId);
  return (
    <div className="mcd-rollback mcd-secondary" data-testid="cell-rollback">
      <span className="mcd-trunc-text" title={props.hint.digest}>
        rollback: {props.hint.version} (run {run.buildNumber ?? run.buildId})
      </span>
      {Number.isFinite(runId) ? (
        <a
          className="mcd-deep"
          href={props.links.run(runId)}
          target="_top"
          rel="noopener noreferrer"
          aria-label={`Open run ${run.buildNumber ?? runId}, which put ${props.hint.version} there, in Azure Pipelines`}
        >
          ↗
        </a>
      ) : null}
    </div>
  );
}
