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
}

export function startLoad(ctx: HubContext): LoadHandle {
  let state: LoadState = {};
  const listeners = new Set<(s: LoadState) => void>();
  const set = (next: LoadState): void => {
    if (next.data && !state.data) performance.mark('mcd-data-first');
    state = next;
    for (const l of listeners) l(state);
  };
  loadHubData(
    { api: ctx.api, store: ctx.store },
    { onPartial: (data, done, total) => set({ data, loading: [done, total] }) },
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
    subscribe(listener) {
      listeners.add(listener);
      if (state.data || state.error) listener(state);
      return () => listeners.delete(listener);
    },
  };
}
