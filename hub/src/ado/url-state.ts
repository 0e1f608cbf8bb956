import type { HubUrlState } from './hub-context';

/** Preview: the state lives in the page's own query string (replaceState, no reload). */
export function previewUrlState(): HubUrlState {
  return {
    get: async () => Object.fromEntries(new URLSearchParams(window.location.search).entries()),
    set: (params) => {
      const q = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(params)) {
        if (v) q.set(k, v);
        else q.delete(k);
      }
      window.history.replaceState(null, '', `${window.location.pathname}?${q.toString()}`);
    },
  };
}
