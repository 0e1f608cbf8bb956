/** Artifact rows × environment columns: what runs where now, and whether a newer attempt failed. */
import * as React from 'react';
import { MatrixCellView, MatrixView as Matrix } from '../data/matrix';
import { EnvironmentRef, LedgerRecord } from '../data/model';
import { PendingView } from '../data/pending';
import { ago, tagOrDigest, when } from './format';
import { StatusIcon } from './status-icon';

export interface MatrixProps {
  matrix: Matrix;
  environments: EnvironmentRef[];
  /** Runs waiting at a gate before each environment. */
  pending: Map<string, PendingView[]>;
  now: number;
  onOpenCell(rowKey: string, environment: string): void;
  onOpenRun(runId: number): void;
}

export function MatrixView(props: MatrixProps): JSX.Element {
  const { matrix } = props;
  if (matrix.rows.length === 0) {
    return <p className="mcd-empty">No promotion records yet. Add an AcrPromote, CanaryShift, SmokeTest, KeyVaultToOci or OracleDbProvision step to a pipeline and run it.</p>;
  }
  const envInfo = new Map(props.environments.map((e) => [e.name, e]));
  return (
    <div className="mcd-matrix-scroll">
      <table className="mcd-matrix" data-testid="matrix">
        <thead>
          <tr>
            <th scope="col" className="mcd-matrix-corner">Artifact</th>
            {matrix.environments.map((env) => {
              const info = envInfo.get(env)?.lastDeployment;
              return (
                <th scope="col" key={env} className="mcd-env-head">
                  <div className="mcd-env-name">{env}</div>
                  {info ? <div className="mcd-secondary">last deployment {ago(info.finishTime, props.now)}</div> : null}
                  {(props.pending.get(env) ?? []).map((p, i) => (
                    <button type="button" key={i} className="mcd-link mcd-pending" data-testid="pending-gate" onClick={() => props.onOpenRun(p.runId)} title={`${p.stageName}: ${p.gate}`}>
                      {p.kind === 'approval' ? 'Awaiting approval' : `Waiting on ${p.gate}`} since {ago(p.since, props.now).replace(' ago', '')}: run {p.buildNumber}
                      {p.waitingOn.length ? ` · ${p.waitingOn.join(', ')}` : ''}
                    </button>
                  ))}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((row) => (
            <tr key={row.key} className={row.kind === 'platform' ? 'mcd-platform-row' : undefined}>
              <th scope="row" className="mcd-row-head">
                <div className="mcd-row-label">{row.label}</div>
                {row.kind === 'platform' ? <div className="mcd-secondary">platform</div> : null}
              </th>
              {matrix.environments.map((env) => (
                <td key={env}>
                  <Cell cell={row.cells[env]} next={(props.pending.get(env) ?? []).find((p) => p.artifacts[row.key])} rowKey={row.key} now={props.now} onOpen={() => props.onOpenCell(row.key, env)} onOpenRun={props.onOpenRun} label={`${row.label} in ${env}`} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Cell(props: { cell?: MatrixCellView; next?: PendingView; rowKey: string; now: number; label: string; onOpen(): void; onOpenRun(id: number): void }): JSX.Element {
  const { cell, next } = props;
  const waiting = next ? (
    <button type="button" className="mcd-link mcd-next" data-testid="pending-cell" onClick={() => props.onOpenRun(next.runId)}>
      next: <span className="mcd-mono">{next.artifacts[props.rowKey]}</span> {next.kind === 'approval' ? 'awaiting approval' : `waiting on ${next.gate}`}
    </button>
  ) : null;
  if (!cell) {
    return (
      <div className="mcd-cell mcd-cell-empty" aria-label={`${props.label}: nothing`}>
        —{waiting}
      </div>
    );
  }
  const shown = cell.current ?? cell.latest!;
  const runId = Number(shown.run.buildId);
  return (
    <div className={`mcd-cell${cell.current ? '' : ' mcd-cell-none'}`} data-testid="matrix-cell">
      <button type="button" className="mcd-cell-open" onClick={props.onOpen} title={`History of ${props.label} (${cell.count} records)`}>
        <span className="mcd-cell-version">
          <StatusIcon status={shown.status} />
          <span className={shown.artifact ? 'mcd-mono' : 'mcd-cell-summary'}>{!cell.current ? 'not deployed' : shown.artifact ? tagOrDigest(shown.artifact.tags, shown.artifact.digest) : shown.summary || shown.task}</span>
        </span>
        {shown.artifact?.digest ? <span className="mcd-secondary mcd-mono">{tagOrDigest(undefined, shown.artifact.digest)}</span> : null}
        <span className="mcd-secondary" title={when(shown.finishedAt)}>
          {ago(shown.finishedAt, props.now)} · {shown.task}
        </span>
      </button>
      <button type="button" className="mcd-link mcd-secondary" onClick={() => Number.isFinite(runId) && props.onOpenRun(runId)}>
        run {shown.run.buildNumber ?? shown.run.buildId}
        {shown.run.requestedFor ? ` · ${shown.run.requestedFor}` : ''}
      </button>
      {cell.current && cell.latest ? <Newer record={cell.latest} /> : null}
      {waiting}
    </div>
  );
}

/** A newer record than what is in place: a passed verification, or an attempt that failed. */
function Newer(props: { record: LedgerRecord }): JSX.Element {
  const r = props.record;
  const ok = r.status === 'succeeded' || r.status === 'succeededWithIssues';
  const text = ok ? (r.task === 'SmokeTest' ? 'smoke test passed' : `${r.task} ${r.status}`) : `newer ${r.task} ${r.status}: ${r.summary}`;
  return (
    <div className={`mcd-newer mcd-newer-${ok ? 'ok' : 'bad'}`} title={r.error ?? r.summary}>
      <StatusIcon status={r.status} /> {text}
    </div>
  );
}
