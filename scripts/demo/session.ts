/**
 * One demo session: the fake Azure DevOps host (REST with Approvals and Checks; started first, so the
 * approvals are recorded there), the stand-ins, the series, then the host page framing the hub.
 * Shared by `npm run demo` and the README screenshots (scripts/screenshots.ts).
 */
import { Gates } from '../../devkit/ado-host/gates';
import { HostPage, startHostPage } from '../../devkit/ado-host/host-page';
import { startSeriesWorld } from '../../devkit/stand-ins/series-world';
import { ensureTestCa } from '../../devkit/support/test-ca';
import { HubPreview, PreviewData, startHubPreview } from '../hub-preview';
import { SeriesResult, runSeries } from './run-series';
import { APPROVAL_ENVIRONMENTS, APPROVER } from './series';

/** The approver's (and the hub user's) access token in the fake host. */
export const TOKEN = 'demo-access-token-dana';

export interface DemoSession {
  hub: HubPreview;
  result: SeriesResult;
  /** Serves the host page (call once the series is done) and gives its URL for the hub. */
  serveHost(): Promise<HostPage>;
  stop(): Promise<void>;
}

/**
 * `onStop` receives the session's stop at once, so a Ctrl-C during the series (abort `signal`, then
 * await that stop) stops what has started so far: servers, stand-ins and the running tasks.
 */
export async function runDemoSession(
  log: (line: string) => void,
  signal: AbortSignal,
  onStop: (stop: () => Promise<void>) => void,
): Promise<DemoSession> {
  const stoppers: (() => Promise<unknown>)[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(
      stoppers
        .splice(0)
        .reverse()
        .map((s) => s()),
    );
  };
  onStop(stop);
  try {
    ensureTestCa();
    // The checks name environments by the ids the host's Environments API gives them (known once it serves).
    const served: { hub?: HubPreview } = {};
    const gates = new Gates(
      APPROVAL_ENVIRONMENTS.map((environment) => ({
        environment,
        approvers: [APPROVER],
        instructions: 'Check the staging canary before approving.',
      })),
      { [TOKEN]: APPROVER },
      (name) => served.hub?.ado.environmentId(name),
    );
    const hub = await startHubPreview({ records: [], gates, requireToken: TOKEN });
    served.hub = hub;
    stoppers.push(() => hub.stop());
    log(`Azure DevOps (fake) for organisation contoso, project shop: ${hub.origin}/contoso/`);
    log('Starting local stand-ins:');
    const world = await startSeriesWorld(log);
    stoppers.push(() => world.stop());
    const host = {
      gates,
      publish: (d: PreviewData) => hub.publish(d),
      collectionUrl: `${hub.origin}/contoso/`,
      approverToken: TOKEN,
    };
    const result = await runSeries(world, host, log, signal);
    return {
      hub,
      result,
      serveHost: async () => {
        const page = await startHostPage();
        stoppers.push(() => page.stop());
        return page;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
