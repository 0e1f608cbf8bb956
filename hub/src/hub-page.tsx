/**
 * Entry point of hub.html (the boot script): choose the data source (Azure DevOps or local preview),
 * start the first load at once, and fetch the UI's code while it runs.
 */
import 'azure-devops-ui/Core/override.css';
import './ui/hub.css';
import { HubContext, NOT_IN_ADO, previewConfigPath } from './ado/hub-context';
import { createPreviewContext } from './ado/preview-context';
import { startLoad } from './data/preload';

async function context(): Promise<HubContext> {
  const framed = window.self !== window.top;
  const preview = previewConfigPath(window.location, framed);
  if (preview) return createPreviewContext(preview, window.location.search);
  // SDK.init() would wait forever outside Azure DevOps: say so instead of spinning.
  if (!framed) throw new Error(NOT_IN_ADO);
  const { createSdkContext } = await import('./ado/sdk-context');
  return createSdkContext('hub');
}

function fail(root: HTMLElement, err: unknown): void {
  // textContent, never markup: the message can quote server or pipeline text.
  root.textContent = `The Promotions hub could not start: ${err instanceof Error ? err.message : String(err)}`;
  root.className = 'mcd-error';
}

const root = document.getElementById('root')!;
const ui = import('./ui/mount-hub');
// Either step may fail (no context, the UI's chunk not loading): both end in the same message.
ui.catch(() => undefined);
context()
  .then(async (ctx) => {
    const first = startLoad(ctx);
    (await ui).mountHub(root, ctx, first);
  })
  .catch((err: unknown) => {
    fail(root, err);
    // Inside Azure DevOps, tell the host too (it shows its own error frame).
    if (window.self !== window.top)
      void import('./ado/sdk-context').then((m) => m.reportLoadFailure(err)).catch(() => undefined);
  });
