/** Local preview: the same REST code paths against the preview server, no token. */
import { RestClient } from '../data/rest-client';
import { RestDocumentStore } from '../data/run-cache';
import { DATA_COLLECTION_PREFIX, HubContext } from './hub-context';
import { previewUrlState } from './url-state';
import { applyThemeVariables } from './theme';

interface PreviewConfig {
  collectionUrl: string;
  project: string;
  publisher: string;
  extension: string;
}

export async function createPreviewContext(configPath: string, search: string): Promise<HubContext> {
  const res = await fetch(configPath, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`Preview configuration ${configPath} answered ${res.status}.`);
  const config = (await res.json()) as PreviewConfig;
  if (new URL(config.collectionUrl).origin !== window.location.origin)
    throw new Error("Preview data must come from the page's own origin.");
  const rest = new RestClient({ fetch: (url, init) => fetch(url, { ...init, credentials: 'same-origin' }) });
  const dataUrl = `${config.collectionUrl}_apis/ExtensionManagement/InstalledExtensions/${config.publisher}/${config.extension}/Data/Scopes/Default/Current/Collections/${DATA_COLLECTION_PREFIX}${encodeURIComponent(config.project)}/`;
  const params = new URLSearchParams(search);
  const buildId = Number(params.get('buildId')) || undefined;
  // The preview server plays the host's theme (light, dark, high contrast): the same variables the SDK announces.
  const theme = params.get('theme');
  if (theme && /^[a-z-]{1,30}$/.test(theme)) {
    const t = await fetch(`/_preview/theme/${theme}.json`, { credentials: 'same-origin' });
    if (t.ok) applyThemeVariables((await t.json()) as Record<string, unknown>);
  }
  return {
    mode: 'preview',
    api: { rest, collectionUrl: config.collectionUrl, project: config.project },
    store: new RestDocumentStore(rest, dataUrl),
    buildId,
    state: previewUrlState(),
  };
}
