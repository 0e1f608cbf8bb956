/** Ledger records across runs, newest first, filterable by artifact, environment, task, status, text. */
import * as React from 'react';
import { TextField } from 'azure-devops-ui/TextField';
import { HistoryFilter, distinct, filterHistory } from '../data/history';
import { envOf } from '../data/matrix';
import { LedgerRecord, TASK_NAMES } from '../data/model';
import { dur, tagOrDigest, when } from './format';
import { StatusIcon } from './status-icon';

const PAGE = 200;
const STATUSES = ['succeeded', 'succeededWithIssues', 'failed', 'cancelled'];

export interface HistoryProps {
  records: LedgerRecord[];
  filter: HistoryFilter;
  onFilter(f: HistoryFilter): void;
  onOpenRun(runId: number): void;
}

function Select(props: {
  label: string;
  value?: string;
  options: { value: string; label: string }[];
  onChange(v?: string): void;
  testId: string;
}): JSX.Element {
  return (
    <label className="mcd-filter">
      <span className="mcd-filter-label">{props.label}</span>
      <select
        className="mcd-select"
        data-testid={props.testId}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value || undefined)}
      >
        <option value="">All</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export function HistoryView(props: HistoryProps): JSX.Element {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- props callbacks are plain arrow functions from the parent, never methods that need their this
  const { filter, onFilter } = props;
  const [limit, setLimit] = React.useState(PAGE);
  const options = React.useMemo(() => distinct(props.records), [props.records]);
  const rows = React.useMemo(() => filterHistory(props.records, filter), [props.records, filter]);
  React.useEffect(() => setLimit(PAGE), [filter]);
  return (
    <div className="mcd-history">
      <div className="mcd-filters" role="search">
        <Select
          label="Artifact"
          testId="filter-artifact"
          value={filter.artifact}
          options={options.artifacts.map((a) => ({ value: a.key, label: a.label }))}
          onChange={(artifact) => onFilter({ ...filter, artifact })}
        />
        <Select
          label="Environment"
          testId="filter-environment"
          value={filter.environment}
          options={options.environments.map((e) => ({ value: e, label: e }))}
          onChange={(environment) => onFilter({ ...filter, environment })}
        />
        <Select
          label="Task"
          testId="filter-task"
          value={filter.task}
          options={TASK_NAMES.map((t) => ({ value: t, label: t }))}
          onChange={(task) => onFilter({ ...filter, task: task as HistoryFilter['task'] })}
        />
        <Select
          label="Status"
          testId="filter-status"
          value={filter.status}
          options={STATUSES.map((s) => ({ value: s, label: s }))}
          onChange={(status) => onFilter({ ...filter, status: status as HistoryFilter['status'] })}
        />
        <label className="mcd-filter mcd-filter-text">
          <span className="mcd-filter-label">Search</span>
          <TextField
            value={filter.text ?? ''}
            onChange={(_, text) => onFilter({ ...filter, text })}
            placeholder="summary, digest, tag, run…"
            ariaLabel="Search records"
            inputId="filter-text"
          />
        </label>
        <span className="mcd-secondary mcd-count" data-testid="history-count">
          {rows.length} of {props.records.length} records
        </span>
      </div>
      <table className="mcd-table" data-testid="history">
        <thead>
          <tr>
            <th scope="col">Finished</th>
            <th scope="col">Task</th>
            <th scope="col">Artifact</th>
            <th scope="col">Environment</th>
            <th scope="col">Summary</th>
            <th scope="col">Duration</th>
            <th scope="col">Run</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, limit).map((r) => (
            <tr key={r.id} data-testid="history-row">
              <td className="mcd-nowrap">{when(r.finishedAt)}</td>
              <td className="mcd-nowrap">
                <StatusIcon status={r.status} /> {r.task}
              </td>
              <td>
                <div>{r.artifact?.repository ?? r.target ?? ''}</div>
                {r.artifact ? (
                  <div className="mcd-secondary mcd-mono mcd-trunc-text" title={r.artifact.digest}>
                    {tagOrDigest(r.artifact.tags, r.artifact.digest)}
                  </div>
                ) : null}
              </td>
              <td>{envOf(r)}</td>
              <td>
                <div>{r.summary}</div>
                {r.error ? <div className="mcd-error">{r.error}</div> : null}
                {r.flag ? (
                  <div className="mcd-error" data-testid="history-flag">
                    Not counted: {r.flag}
                  </div>
                ) : null}
              </td>
              <td className="mcd-nowrap">{dur(r.durationMs)}</td>
              <td className="mcd-nowrap">
                <button type="button" className="mcd-link" onClick={() => props.onOpenRun(Number(r.run.buildId))}>
                  {r.run.buildNumber ?? r.run.buildId}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > limit ? (
        <button type="button" className="mcd-more" onClick={() => setLimit(limit + PAGE)}>
          Show {Math.min(PAGE, rows.length - limit)} more
        </button>
      ) : null}
    </div>
  );
}
