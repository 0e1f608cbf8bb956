/** One matrix cell: the version in place, its run, verified mark, approver, rollback hint, verdict and newer attempts. */
import * as React from 'react';
import { MatrixCellView, MatrixView as Matrix } from '../data/matrix';
import { LedgerRecord, RunEntry } from '../data/model';
import { rollbackHint } from '../data/env-diff';
import { gateOf } from '../data/run-gates';
import { PendingView } from '../data/pending';
import { HubLinks } from '../ado/links';
import { CellApproval, CellRollback } from './cell-extras';
import { ago, tagOrDigest, when } from './format';
import { StatusIcon } from './status-icon';

/** The version label: the record's own tag, else the tag another record gave the same digest. */
function versionOf(r: LedgerRecord, tagsByDigest: Map<string, string[]>): { tag?: string; digest?: string } {
  const a = r.artifact;
  if (!a) return {};
  const tags = a.tags?.length ? a.tags : a.digest ? tagsByDigest.get(a.digest) : undefined;
  const tag = tags?.find((t) => t !== 'latest' && t !== 'production') ?? tags?.[0];
  return { tag, digest: a.digest };
}

/** What a newer attempt that did not take means for this cell, in one line. */
function attemptText(r: LedgerRecord, version: string): string {
  if (r.task === 'CanaryShift') {
    const outcome = r.details.outcome;
    if (outcome === 'aborted') return `canary ${version} aborted`;
    if (outcome === 'paused' && r.status !== 'failed')
      return `canary ${version} at ${typeof r.details.canaryWeight === 'number' ? r.details.canaryWeight : 0}%, not promoted`;
  }
  return `${r.task} ${version} ${r.status}`;
}

export function Cell(props: {
  cell?: MatrixCellView;
  next?: PendingView;
  rowKey: string;
  env: string;
  now: number;
  label: string;
  tagsByDigest: Map<string, string[]>;
  verified: Matrix['verifiedByDigest'];
  run?: RunEntry;
  rollback?: ReturnType<typeof rollbackHint>;
  links: HubLinks;
  onOpen(): void;
  onOpenRun(id: number): void;
}): JSX.Element {
  const { cell, next } = props;
  const waiting = next ? (
    <button
      type="button"
      className="mcd-link mcd-next"
      data-testid="pending-cell"
      onClick={() => props.onOpenRun(next.runId)}
    >
      next: <span className="mcd-mono">{next.artifacts[props.rowKey]}</span>{' '}
      {next.kind === 'approval' ? 'awaiting approval' : `waiting on ${next.gate}`}
    </button>
  ) : null;
  if (!cell || (!cell.current && !cell.latest)) {
    return (
      <div
        className="mcd-cell mcd-cell-empty"
        data-testid="matrix-cell-empty"
        data-row={props.rowKey}
        data-env={props.env}
        title={`${props.label}: nothing`}
      >
        —{waiting}
      </div>
    );
  }
  const shown = cell.current ?? cell.latest!;
  const runId = Number(shown.run.buildId);
  const v = versionOf(shown, props.tagsByDigest);
  const head = !cell.current
    ? 'not deployed'
    : shown.artifact
      ? (v.tag ?? tagOrDigest(undefined, v.digest))
      : shown.summary || shown.task;
  const verdict = cell.verdict;
  const gate = cell.current && v.digest ? props.verified.get(v.digest) : undefined;
  const approval = cell.current ? gateOf(props.run, cell.current) : undefined;
  return (
    <div
      className={`mcd-cell${cell.current ? '' : ' mcd-cell-none'}`}
      data-testid="matrix-cell"
      data-row={props.rowKey}
      data-env={props.env}
    >
      <button
        type="button"
        className="mcd-cell-open"
        // eslint-disable-next-line @typescript-eslint/unbound-method -- props callbacks are plain arrow functions from the parent, never methods that need their this
        onClick={props.onOpen}
        aria-label={`History of ${props.label}: ${head}`}
        title={`History of ${props.label} (${cell.count} records)`}
      >
        <span className="mcd-cell-version">
          <StatusIcon status={cell.current ? shown.status : 'skipped'} />
          <span
            className={shown.artifact ? 'mcd-mono mcd-trunc-text' : 'mcd-cell-summary mcd-trunc-text'}
            data-testid="cell-version"
            title={head}
          >
            {head}
          </span>
        </span>
        {cell.current && v.digest && v.tag ? (
          <span className="mcd-secondary mcd-mono mcd-trunc-text" title={v.digest}>
            {tagOrDigest(undefined, v.digest)}
          </span>
        ) : null}
        <span className="mcd-secondary mcd-trunc-text" title={when(shown.finishedAt)}>
          {ago(shown.finishedAt, props.now)} · {shown.task}
        </span>
      </button>
      <span className="mcd-cell-run">
        <button
          type="button"
          className="mcd-link mcd-secondary mcd-trunc-text"
          onClick={() => Number.isFinite(runId) && props.onOpenRun(runId)}
        >
          run {shown.run.buildNumber ?? shown.run.buildId}
          {shown.run.requestedFor ? ` · ${shown.run.requestedFor}` : ''}
        </button>
        {Number.isFinite(runId) ? (
          <a
            className="mcd-deep"
            href={props.links.run(runId)}
            target="_top"
            rel="noopener noreferrer"
            aria-label={`Open run ${shown.run.buildNumber ?? runId} in Azure Pipelines`}
          >
            ↗
          </a>
        ) : null}
      </span>
      {gate ? (
        <div
          className={`mcd-verified mcd-newer-${gate.passed ? 'ok' : 'bad'} mcd-trunc-text`}
          data-testid="cell-verified"
          title={gate.signer ? `Signed by ${gate.signer}` : undefined}
        >
          <StatusIcon status={gate.passed ? 'succeeded' : 'failed'} /> {gate.passed ? 'verified' : 'not verified'}
          {gate.signer ? `: ${gate.signer}` : ''}
        </div>
      ) : null}
      {approval && Number.isFinite(runId) ? <CellApproval gate={approval} runId={runId} links={props.links} /> : null}
      {props.rollback ? <CellRollback hint={props.rollback} links={props.links} /> : null}
      {verdict ? (
        <div
          className={`mcd-verdict mcd-newer-${verdict.status === 'failed' ? 'bad' : 'ok'}`}
          data-testid="cell-verdict"
          title={verdict.error ?? verdict.summary}
        >
          <StatusIcon status={verdict.status} /> smoke {verdict.status === 'failed' ? 'failed' : 'passed'}:{' '}
          {verdict.summary}
        </div>
      ) : null}
      {cell.current && cell.latest ? (
        <Newer
          record={cell.latest}
          version={
            versionOf(cell.latest, props.tagsByDigest).tag ?? tagOrDigest(undefined, cell.latest.artifact?.digest)
          }
        />
      ) : null}
      {!cell.current && cell.latest ? (
        <div className="mcd-newer mcd-newer-bad" data-testid="cell-attempt">
          {attemptText(cell.latest, versionOf(cell.latest, props.tagsByDigest).tag ?? '')}
        </div>
      ) : null}
      {waiting}
    </div>
  );
}

/** A newer record than what is in place: an attempt that failed, was aborted, or stopped short. */
function Newer(props: { record: LedgerRecord; version: string }): JSX.Element {
  const r = props.record;
  const ok = r.status === 'succeeded' || r.status === 'succeededWithIssues';
  return (
    <div className={`mcd-newer mcd-newer-${ok ? 'ok' : 'bad'}`} title={r.error ?? r.summary} data-testid="cell-newer">
      <StatusIcon status={r.task === 'CanaryShift' && r.details.outcome === 'aborted' ? 'aborted' : r.status} /> newer:{' '}
      {attemptText(r, props.version)}
    </div>
  );
}
