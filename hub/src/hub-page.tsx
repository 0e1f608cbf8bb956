/**
 * Entry point of hub.html (the boot script): choose the data source (Azure DevOps or local preview),
 * start the first load at once, and fetch the UI's code while it runs.
 */
import 'azure-devops-ui/Core/override.css';
import './ui/hub.css';
import { HubContext, NOT_IN_ADO, previewConfigPath } from './ado/hub-context';
import { createPreviewContext } from './ado/preview-context';
import { LoadHandle, startLoad } from './data/preload';

/**
 * Once its code is evaluated, the UI waits this long for the first data (or an error): a warm load's
 * data is usually there by then, and one render of the matrix replaces an empty page's render that
 * would hold the main thread while answers wait to be handled. A cold load's data is further away:
 * the page (header, tabs, progress) mounts meanwhile and the matrix alone renders when it comes.
 */
const MOUNT_GRACE_MS = 200;

/**
 * The first localeCompare of a page loads ICU's collation data (~25 ms of main thread on the 2-core bench
 * machine), which the first matrix's sorts (rows, environment order) would otherwise pay inside its render.
 * Paid once the first requests are on the wire: their answers are a round trip away (≥ 50 ms in the bench)
 * and the UI's code is still being compiled off the main thread, so the main thread is waiting anyway.
 * (After the UI's code, as it was, it landed on the first matrix's path whenever the answers came first.)
 */
function warmCollation(): void {
  void 'a'.localeCompare('b');
  performance.mark('mcd-collation-warm');
}

function firstAnswer(load: LoadHandle, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    const unsubscribe = load.subscribe(() => {
      clearTimeout(timer);
      resolve();
      // A microtask: subscribe() calls at once when data is already there, before it returns.
      queueMicrotask(() => unsubscribe());
    });
  });
}

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

// Milestones of a load (bench/hub-profile.ts prints them): boot, context, UI code, mount.
performance.mark('mcd-boot');
const root = document.getElementById('root')!;
context()
  .then(async (ctx) => {
    performance.mark('mcd-context');
    const first = startLoad(ctx, true);
    // Not before the requests: inside Azure DevOps each waits for a token from the host frame first.
    void ctx.api.rest.whenSent().then(() => setTimeout(warmCollation, 0));
    // The UI's code (preloaded and compiled from the page's modulepreload links) is evaluated only now,
    // with the first requests already sent: its long task overlaps their round trip, not delays it.
    const ui = import('./ui/mount-hub');
    ui.then(
      () => performance.mark('mcd-ui-loaded'),
      () => undefined,
    );
    root.textContent = 'Loading promotions…';
    root.className = 'mcd-empty';
    root.setAttribute('role', 'status');
    const mount = await ui;
    await firstAnswer(first, MOUNT_GRACE_MS);
    root.textContent = '';
    root.className = '';
    root.removeAttribute('role');
    mount.mountHub(root, ctx, first);
    performance.mark('mcd-mounted');
  })
  .catch((err: unknown) => {
    fail(root, err);
    // Inside Azure DevOps, tell the host too (it shows its own error frame).
    if (window.self !== window.top)
      void import('./ado/sdk-context').then((m) => m.reportLoadFailure(err)).catch(() => undefined);
  });
