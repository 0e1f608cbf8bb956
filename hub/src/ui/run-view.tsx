/** One run: stage strip with gates, then its records. Shared by the hub and the build results tab. */
import * as React from 'react';
import { Spinner, SpinnerSize } from 'azure-devops-ui/Spinner';
import { ProjectApi } from '../data/ado-api';
import { LedgerRecord, RunRef } from '../data/model';
import { RunView as RunData, loadRunView } from '../data/run-loader';
import { dur, when } from './format';
import { RecordCard } from './record-facts';
import { StageStrip } from './stage-strip';
import { hubLinks } from '../ado/links';
import { StatusIcon } from './status-icon';

export function RunDetails(props: {
  api: ProjectApi;
  runId: number;
  known?: { run?: RunRef; records?: LedgerRecord[] };
}): JSX.Element {
  const [state, setState] = React.useState<{ data?: RunData; error?: string }>({});
  React.useEffect(() => {
    let live = true;
    setState({});
    loadRunView(props.api, props.runId, props.known).then(
      (data) => live && setState({ data }),
      (err: unknown) => live && setState({ error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [props.api, props.runId, props.known]);
  if (state.error)
    return (
      <div className="mcd-error" role="alert">
        Could not load run {props.runId}: {state.error}
      </div>
    );
  if (!state.data) return <Spinner size={SpinnerSize.large} label={`Loading run ${props.runId}…`} />;
  const { run, stages, records, problems } = state.data;
  return (
    <div className="mcd-run" data-testid="run-view">
      <h2 className="mcd-run-title">
        <StatusIcon status={run.result ?? run.status} /> {run.definitionName ?? 'Run'} {run.buildNumber}
      </h2>
      <div className="mcd-secondary">
        {[
          run.requestedFor,
          run.sourceBranch,
          when(run.queueTime),
          run.finishTime && run.queueTime ? dur(Date.parse(run.finishTime) - Date.parse(run.queueTime)) : run.status,
        ]
          .filter(Boolean)
          .join(' · ')}
      </div>
      <StageStrip stages={stages} links={hubLinks(props.api.collectionUrl, props.api.project)} runId={props.runId} />
      {problems.length ? <div className="mcd-error">Some records could not be read: {problems.join('; ')}</div> : null}
      {records.length === 0 ? (
        <p className="mcd-empty">This run has no promotion records.</p>
      ) : (
        records.map((r) => <RecordCard key={r.id} record={r} />)
      )}
    </div>
  );
}
