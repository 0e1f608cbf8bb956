/** Entry point of run-tab.html: the build results tab showing this run's gates and records. */
import 'azure-devops-ui/Core/override.css';
import './ui/hub.css';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import { HubContext, NOT_IN_ADO, previewConfigPath } from './ado/hub-context';
import { createPreviewContext } from './ado/preview-context';
import { RunDetails } from './ui/run-view';

function RunTab(props: { ctx: HubContext }): JSX.Element {
  // The host calls back when the run changes (a stage finished, an approval landed): reload.
  const [shown, setShown] = React.useState({ id: props.ctx.buildId, version: 0 });
  React.useEffect(
    () => props.ctx.onBuildChanged?.((id) => setShown((s) => ({ id, version: s.version + 1 }))),
    [props.ctx],
  );
  if (shown.id === undefined) return <p className="mcd-empty">No run selected.</p>;
  return (
    <div className="mcd-content mcd-tab">
      <RunDetails key={`${shown.id}-${shown.version}`} api={props.ctx.api} runId={shown.id} />
    </div>
  );
}

async function context(): Promise<HubContext> {
  const framed = window.self !== window.top;
  const preview = previewConfigPath(window.location, framed);
  if (preview) return createPreviewContext(preview, window.location.search);
  // SDK.init() would wait forever outside Azure DevOps: say so instead of spinning.
  if (!framed) throw new Error(NOT_IN_ADO);
  const { createSdkContext } = await import('./ado/sdk-context');
  return createSdkContext('run-tab');
}

const root = document.getElementById('root')!;
context().then(
  (ctx) => ReactDOM.render(<RunTab ctx={ctx} />, root),
  (err: unknown) => {
    root.textContent = `The Promotions tab could not start: ${err instanceof Error ? err.message : String(err)}`;
    root.className = 'mcd-error';
    if (window.self !== window.top) void import('./ado/sdk-context').then((m) => m.reportLoadFailure(err));
  },
);
