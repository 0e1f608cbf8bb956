/**
 * Where the hub's data comes from: Azure DevOps (through the SDK inside the host's iframe) or
 * the local preview server. Components never see the difference; they get a HubContext.
 */
import type { ProjectApi } from '../data/ado-api';
import type { DocumentStore } from '../data/run-cache';

export interface HubContext {
  mode: 'ado' | 'preview';
  api: ProjectApi;
  store: DocumentStore;
  /** Set on the build results tab: the run being viewed. */
  buildId?: number;
  /** Called when the host wants the tab to show another run. */
  onBuildChanged?: (listener: (buildId: number) => void) => void;
  /** The hub's state (tab, run) in the page URL: the host's navigation service, or the preview's own URL. */
  state?: HubUrlState;
}

export interface HubUrlState {
  get(): Promise<Record<string, string>>;
  set(params: Record<string, string>): void;
}

export const DATA_COLLECTION_PREFIX = 'ledger-runs-v1-';
export const NOT_IN_ADO =
  'This page runs inside Azure DevOps (Pipelines → Promotions). For a local preview, serve it with scripts/hub-preview and open it with ?preview=/_preview/config.json.';

/**
 * Preview mode is explicit: a `?preview=` query naming a same-origin config path, and only
 * when the page is not framed (inside Azure DevOps it always is), so a crafted link to the
 * installed hub cannot point it at someone else's data.
 */
export function previewConfigPath(location: { search: string }, framed: boolean): string | undefined {
  const value = new URLSearchParams(location.search).get('preview');
  if (!value || framed) return undefined;
  return /^\/(?!\/)[A-Za-z0-9_./-]*$/.test(value) && !value.includes('..') ? value : undefined;
}
