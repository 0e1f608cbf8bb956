/**
 * Artifact rows × environment columns (azure-devops-ui Table): what runs where now, and whether a newer
 * attempt failed. Columns share the width (no sideways page scroll with six long names); the header
 * with the environments stays on screen while the rows scroll (sticky-table).
 */
import * as React from 'react';
import { ITableColumn, Table, TableCell, TableHeaderCell } from 'azure-devops-ui/Table';
import { ArrayItemProvider } from 'azure-devops-ui/Utilities/Provider';
import { ZeroData, ZeroDataActionType } from 'azure-devops-ui/ZeroData';
import { MatrixRow, MatrixView as Matrix } from '../data/matrix';
import { EnvironmentRef, LedgerRecord, RunEntry } from '../data/model';
import { rollbackHint } from '../data/env-diff';
import { PendingView } from '../data/pending';
import { HubLinks } from '../ado/links';
import { ago } from './format';
import { Cell } from './matrix-cell';

export interface MatrixProps {
  matrix: Matrix;
  environments: EnvironmentRef[];
  /** Runs waiting at a gate before each environment. */
  pending: Map<string, PendingView[]>;
  now: number;
  onOpenCell(rowKey: string, environment: string): void;
  onOpenRun(runId: number): void;
  links: HubLinks;
  /** Runs (their approvals) and records (rollback hints) behind the cells. */
  runs: RunEntry[];
  records: LedgerRecord[];
  /** Set when a filter hides every row: the empty state offers to clear it. */
  onClearFilter?: () => void;
}

type Col = ITableColumn<MatrixRow>;

/** Share of the width for the artifact column; the environments split the rest evenly. */
const ARTIFACT_SHARE = 16;

function EnvHead(props: {
  env: string;
  info?: EnvironmentRef;
  pending: PendingView[];
  now: number;
  links: HubLinks;
  onOpenRun(runId: number): void;
}): JSX.Element {
  const { env, info } = props;
  return (
    <div className="mcd-env-headbox">
      <div className="mcd-env-name">
        {info ? (
          <a
            className="mcd-env-link mcd-trunc-text"
            href={props.links.environment(info.id)}
            target="_top"
            rel="noopener noreferrer"
            title={env}
            aria-label={`${env} in Azure Pipelines Environments`}
          >
            {env}
          </a>
        ) : (
          <span className="mcd-trunc-text" title={env}>
            {env}
          </span>
        )}
      </div>
      {info?.lastDeployment ? (
        <div className="mcd-secondary mcd-trunc-text">
          last deployment {ago(info.lastDeployment.finishTime, props.now)}
        </div>
      ) : null}
      {props.pending.map((p, i) => (
        <button
          type="button"
          key={i}
          className="mcd-link mcd-pending"
          data-testid="pending-gate"
          onClick={() => props.onOpenRun(p.runId)}
          title={`${p.stageName}: ${p.gate}`}
        >
          {p.kind === 'approval' ? 'Awaiting approval' : `Waiting on ${p.gate}`} since{' '}
          {ago(p.since, props.now).replace(' ago', '')}: run {p.buildNumber}
          {p.waitingOn.length ? ` · ${p.waitingOn.join(', ')}` : ''}
        </button>
      ))}
    </div>
  );
}

function RowHead(props: { row: MatrixRow }): JSX.Element {
  const { row } = props;
  const kind = row.key.startsWith('p:KeyVaultToOci')
    ? 'secrets'
    : row.key.startsWith('p:OracleDbProvision')
      ? 'database'
      : 'platform';
  return (
    <div className={row.kind === 'platform' ? 'mcd-row-head mcd-platform-row' : 'mcd-row-head'}>
      <div className="mcd-row-label mcd-trunc-text" title={row.label}>
        {row.label}
      </div>
      {row.kind === 'platform' ? <div className="mcd-secondary">{kind}</div> : null}
    </div>
  );
}

export function MatrixView(props: MatrixProps): JSX.Element {
  const { matrix } = props;
  const provider = React.useMemo(() => new ArrayItemProvider(matrix.rows), [matrix.rows]);
  if (matrix.rows.length === 0) {
    return props.onClearFilter ? (
      <ZeroData
        className="mcd-zero"
        imageAltText=""
        iconProps={{ iconName: 'Filter' }}
        primaryText="No artifacts match these filters"
        secondaryText="Another pipeline, environment or keyword may show them."
        actionText="Clear filters"
        actionType={ZeroDataActionType.ctaButton}
        onActionClick={() => props.onClearFilter?.()}
      />
    ) : (
      <ZeroData
        className="mcd-zero"
        imageAltText=""
        iconProps={{ iconName: 'Deploy' }}
        primaryText="No promotion records yet"
        secondaryText="Add an AcrPromote, CanaryShift, SmokeTest, KeyVaultToOci or OracleDbProvision step to a pipeline and run it."
      />
    );
  }
  const envInfo = new Map(props.environments.map((e) => [e.name, e]));
  const runsById = new Map(props.runs.map((e) => [e.run.id, e]));
  const share = -(100 - ARTIFACT_SHARE) / Math.max(1, matrix.environments.length);
  const columns: Col[] = [
    {
      id: 'artifact',
      name: 'Artifact',
      width: -ARTIFACT_SHARE,
      headerClassName: 'mcd-matrix-corner',
      renderCell: (_, c, col, row) => (
        <TableCell key={col.id} columnIndex={c} tableColumn={col} role="rowheader" className="mcd-mcell">
          <RowHead row={row} />
        </TableCell>
      ),
    },
    ...matrix.environments.map((env): Col => ({
      id: `env:${env}`,
      name: env,
      width: share,
      headerClassName: 'mcd-env-head',
      renderHeaderCell: (c, col) => (
        <TableHeaderCell key={col.id} column={col} columnIndex={c} ariaLabel={env}>
          <EnvHead
            env={env}
            info={envInfo.get(env)}
            pending={props.pending.get(env) ?? []}
            now={props.now}
            links={props.links}
            // eslint-disable-next-line @typescript-eslint/unbound-method -- props callbacks are plain arrow functions from the parent, never methods that need their this
            onOpenRun={props.onOpenRun}
          />
        </TableHeaderCell>
      ),
      renderCell: (_, c, col, row) => (
        <TableCell key={col.id} columnIndex={c} tableColumn={col} className="mcd-mcell">
          <Cell
            cell={row.cells[env]}
            tagsByDigest={matrix.tagsByDigest}
            verified={matrix.verifiedByDigest}
            run={runsById.get(Number(row.cells[env]?.current?.run.buildId))}
            rollback={rollbackHint(props.records, matrix, row.key, env)}
            links={props.links}
            next={(props.pending.get(env) ?? []).find((p) => p.artifacts[row.key])}
            rowKey={row.key}
            env={env}
            now={props.now}
            onOpen={() => props.onOpenCell(row.key, env)}
            // eslint-disable-next-line @typescript-eslint/unbound-method -- props callbacks are plain arrow functions from the parent, never methods that need their this
            onOpenRun={props.onOpenRun}
            label={`${row.label} in ${env}`}
          />
        </TableCell>
      ),
    })),
  ];
  return (
    <div className="mcd-matrix-wrap" data-testid="matrix">
      <Table<MatrixRow>
        ariaLabel="Which version runs in which environment"
        className="mcd-matrix sticky-table"
        containerClassName="mcd-table-container"
        columns={columns}
        itemProvider={provider}
        virtualize={false}
        showScroll
        selectRowOnClick={false}
        spacerWidth={0}
      />
    </div>
  );
}
