/**
 * The hub's first load, started by the page's small boot script before the UI's code (React,
 * azure-devops-ui) is fetched and evaluated: the network waits and the script work overlap.
 * The UI subscribes when it mounts and gets everything that happened so far.
 */
import type { HubContext } from '../ado/hub-context';
import { loadHubData } from './ledger-loader';
import { HubData } from './model';

export interface LoadState {
  data?: HubData;
  error?: string;
  /** Set while older runs are still being read: [done, total]. */
  loading?: [number, number];
}

export interface LoadHandle {
  subscribe(listener: (state: LoadState) => void): () => void;
  /** What happened so far: the UI's first render shows it at once (no empty render, then the data). */
  current(): LoadState;
  /**
   * The view has committed a render of the data (or error): a load that handed it partial data goes on
   * reading. Until then (the UI's code still loading) it holds its next requests, so the first matrix
   * always renders before them, whichever came first.
   */
  rendered(): void;
}

/**
 * Longest the load holds its next reads for a view that has not rendered its data yet (its code still
 * being evaluated): never stalled by a view that does not come.
 */
const VIEW_WAIT_MS = 3000;

/**
 * `holdForView`: the boot script's load, started before the view exists, holds its next requests after
 * the first partial data until the view has rendered it (`rendered()`). A mounted view's loads (Refresh)
 * render every partial synchronously in their listener: nothing to wait for.
 */
export function startLoad(ctx: HubContext, holdForView = false): LoadHandle {
  let state: LoadState = {};
  const listeners = new Set<(s: LoadState) => void>();
  let rendered = !holdForView;
  let viewRendered: () => void = () => undefined;
  const shown = new Promise<void>((resolve) => {
    viewRendered = () => {
      rendered = true;
      resolve();
    };
  });
  let waiting: Promise<void> | undefined;
  /** The first partial data waits for the view (bounded); later ones go on at once. */
  const untilShown = (): Promise<void> | undefined => {
    if (rendered) return undefined;
    waiting ??= Promise.race([shown, new Promise<void>((resolve) => setTimeout(resolve, VIEW_WAIT_MS))]);
    return waiting;
  };
  const set = (next: LoadState): void => {
    if (next.data && !state.data) performance.mark('mcd-data-first');
    state = next;
    for (const l of listeners) l(state);
  };
  loadHubData(
    { api: ctx.api, store: ctx.store },
    {
      onPartial: (data, done, total) => {
        set({ data, loading: [done, total] });
        // The rest of the load's requests come after the view has rendered this (the first matrix).
        return untilShown();
      },
    },
  ).then(
    (result) => {
      set({ data: result.data });
      // Once the shared cache holds this load (index last), a reload is warm: tests and the bench wait for it.
      void result.persisted.then(() => performance.mark('mcd-cache-written'));
    },
    (err: unknown) => set({ data: state.data, error: err instanceof Error ? err.message : String(err) }),
  );
  return {
    current: () => state,
    rendered: () => viewRendered(),
    subscribe(listener) {
      listeners.add(listener);
      if (state.data || state.error) listener(state);
      return () => listeners.delete(listener);
    },
  };
}
