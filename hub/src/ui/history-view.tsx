/** Ledger records across runs, newest first (or sorted by a column), narrowed by the hub's filter. */
import * as React from 'react';
import { Button } from 'azure-devops-ui/Button';
import { ColumnSorting, ITableColumn, SortOrder, Table, TableCell, sortItems } from 'azure-devops-ui/Table';
import { ArrayItemProvider } from 'azure-devops-ui/Utilities/Provider';
import { ZeroData, ZeroDataActionType } from 'azure-devops-ui/ZeroData';
import { HubLinks } from '../ado/links';
import { envOf, rowKey } from '../data/matrix';
import { LedgerRecord } from '../data/model';
import { HubFilter, filterRecords, isEmpty } from './hub-filter';
import { dur, tagOrDigest, when } from './format';
import { StatusIcon } from './status-icon';

const PAGE = 200;

export interface HistoryProps {
  records: LedgerRecord[];
  filter: HubFilter;
  links: HubLinks;
  onClearFilter(): void;
  onOpenRun(runId: number): void;
}

type Col = ITableColumn<LedgerRecord>;
type Compare = ((a: LedgerRecord, b: LedgerRecord) => number) | null;

const byText =
  (f: (r: LedgerRecord) => string): Compare =>
  (a, b) =>
    f(a).localeCompare(f(b));
const byNumber =
  (f: (r: LedgerRecord) => number): Compare =>
  (a, b) =>
    f(a) - f(b);

function cell(columnIndex: number, column: Col, children: React.ReactNode, className = ''): JSX.Element {
  return (
    <TableCell key={column.id} columnIndex={columnIndex} tableColumn={column} className={`mcd-hcell ${className}`}>
      {children}
    </TableCell>
  );
}

/** The columns, their cells, and how each sorts (null: not sortable). */
function columnsFor(props: HistoryProps): { columns: Col[]; compare: Compare[] } {
  // One object per column: sortItems writes the order into it.
  const sortable = (): Col['sortProps'] => ({
    ariaLabelAscending: 'Sorted ascending',
    ariaLabelDescending: 'Sorted descending',
  });
  const run = (r: LedgerRecord): number => Number(r.run.buildId) || 0;
  const columns: Col[] = [
    {
      id: 'finished',
      name: 'Finished',
      width: -11,
      sortProps: sortable(),
      renderCell: (_, c, col, r) => cell(c, col, <span data-testid="history-row">{when(r.finishedAt)}</span>),
    },
    {
      id: 'task',
      name: 'Task',
      width: -13,
      sortProps: sortable(),
      renderCell: (_, c, col, r) =>
        cell(
          c,
          col,
          <span className="mcd-task">
            <StatusIcon status={r.status} />
            <span className="mcd-trunc-text" title={r.task}>
              {r.task}
            </span>
          </span>,
        ),
    },
    {
      id: 'artifact',
      name: 'Artifact',
      width: -19,
      sortProps: sortable(),
      renderCell: (_, c, col, r) =>
        cell(
          c,
          col,
          <>
            <div className="mcd-trunc-text" title={r.artifact?.repository ?? r.target ?? ''}>
              {r.artifact?.repository ?? r.target ?? ''}
            </div>
            {r.artifact ? (
              <div className="mcd-secondary mcd-mono mcd-trunc-text" title={r.artifact.digest}>
                {tagOrDigest(r.artifact.tags, r.artifact.digest)}
              </div>
            ) : null}
          </>,
        ),
    },
    {
      id: 'environment',
      name: 'Environment',
      width: -12,
      sortProps: sortable(),
      renderCell: (_, c, col, r) =>
        cell(
          c,
          col,
          <span className="mcd-trunc-text" title={envOf(r)}>
            {envOf(r)}
          </span>,
        ),
    },
    {
      id: 'summary',
      name: 'Summary',
      width: -28,
      renderCell: (_, c, col, r) =>
        cell(
          c,
          col,
          <>
            <div className="mcd-wrap">{r.summary}</div>
            {r.error ? <div className="mcd-error">{r.error}</div> : null}
            {r.flag ? (
              <div className="mcd-error" data-testid="history-flag">
                Not counted: {r.flag}
              </div>
            ) : null}
          </>,
        ),
    },
    {
      id: 'duration',
      name: 'Duration',
      width: -7,
      sortProps: sortable(),
      renderCell: (_, c, col, r) => cell(c, col, dur(r.durationMs), 'mcd-nowrap'),
    },
    {
      id: 'run',
      name: 'Run',
      width: -10,
      sortProps: sortable(),
      renderCell: (_, c, col, r) => {
        const id = run(r);
        const name = r.run.buildNumber ?? r.run.buildId;
        return cell(
          c,
          col,
          <span className="mcd-cell-run">
            <button
              type="button"
              className="mcd-link mcd-trunc-text"
              aria-label={`Open run ${name} in the Run tab`}
              onClick={() => props.onOpenRun(id)}
            >
              {name}
            </button>
            {id ? (
              <a
                className="mcd-deep"
                href={props.links.run(id)}
                target="_top"
                rel="noopener noreferrer"
                aria-label={`Open run ${name} in Azure Pipelines`}
              >
                ↗
              </a>
            ) : null}
          </span>,
        );
      },
    },
  ];
  const compare: Compare[] = [
    byText((r) => r.finishedAt),
    byText((r) => r.task),
    byText((r) => rowKey(r).label),
    byText(envOf),
    null,
    byNumber((r) => r.durationMs ?? -1),
    byNumber(run),
  ];
  return { columns, compare };
}

export function HistoryView(props: HistoryProps): JSX.Element {
  const [limit, setLimit] = React.useState(PAGE);
  // Newest first until a column header is clicked.
  const [sort, setSort] = React.useState<{ column: number; order: SortOrder }>({
    column: 0,
    order: SortOrder.descending,
  });
  const filtered = React.useMemo(() => filterRecords(props.records, props.filter), [props.records, props.filter]);
  React.useEffect(() => setLimit(PAGE), [props.filter]);
  const sorting = React.useMemo(
    () => new ColumnSorting<LedgerRecord>((column, order) => setSort({ column, order })),
    [],
  );
  const { columns, compare } = columnsFor(props);
  // sortItems marks the sorted column (aria-sort, icon) and sorts in place: a copy, so `filtered` keeps its order.
  const rows = sortItems(sort.column, sort.order, compare, columns, [...filtered]);
  const provider = React.useMemo(() => new ArrayItemProvider(rows.slice(0, limit)), [rows, limit]);
  return (
    <div className="mcd-history">
      <div className="mcd-secondary mcd-count" data-testid="history-count" role="status">
        {filtered.length} of {props.records.length} records
      </div>
      {filtered.length === 0 ? (
        <ZeroData
          className="mcd-zero"
          imageAltText=""
          iconProps={{ iconName: 'Filter' }}
          primaryText={isEmpty(props.filter) ? 'No promotion records yet' : 'No records match these filters'}
          secondaryText={isEmpty(props.filter) ? 'Records appear here once a pipeline runs a promotion task.' : ''}
          actionText={isEmpty(props.filter) ? undefined : 'Clear filters'}
          actionType={ZeroDataActionType.ctaButton}
          onActionClick={() => props.onClearFilter()}
        />
      ) : (
        <div data-testid="history">
          <Table<LedgerRecord>
            ariaLabel="Promotion records"
            className="mcd-history-table sticky-table"
            containerClassName="mcd-table-container"
            columns={columns}
            behaviors={[sorting]}
            itemProvider={provider}
            virtualize={false}
            showScroll
            selectRowOnClick={false}
          />
        </div>
      )}
      {rows.length > limit ? (
        <Button
          className="mcd-more"
          text={`Show ${Math.min(PAGE, rows.length - limit)} more`}
          onClick={() => setLimit(limit + PAGE)}
        />
      ) : null}
    </div>
  );
}
