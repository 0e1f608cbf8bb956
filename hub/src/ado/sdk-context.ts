/**
 * Inside Azure DevOps: the SDK gives the project, the collection URL (location service, so
 * Azure DevOps Server works too), an access token for REST, and extension data storage.
 */
import * as SDK from 'azure-devops-extension-sdk';
import type {
  IExtensionDataManager,
  IExtensionDataService,
  IHostNavigationService,
  ILocationService,
  IProjectPageService,
} from 'azure-devops-extension-api/Common';
import type { IBuildPageDataService } from 'azure-devops-extension-api/Build';
import { RestClient } from '../data/rest-client';
import { CacheDoc, DocumentStore } from '../data/run-cache';
import { DATA_COLLECTION_PREFIX, HubContext } from './hub-context';
import { followTheme } from './theme';

const BUILD_AREA_ID = '5d6898bb-45ec-463f-95f9-54d49c71752e';
/** Service ids are ambient const enums in the API package: spelled out so bundling needs no type info. */
const SERVICES = {
  project: 'ms.vss-tfs-web.tfs-page-data-service',
  location: 'ms.vss-features.location-service',
  extensionData: 'ms.vss-features.extension-data-service',
  buildPage: 'ms.vss-build-web.build-page-data-service',
  navigation: 'ms.vss-features.host-navigation-service',
};

/**
 * Project-shared documents (scope Default, a collection per project): one user's reads warm the
 * hub for everyone. The loader shows a cached run only if its pipeline is among those the user
 * can read (Definitions - List), so sharing never shows a run the user's own token could not read.
 */
const SCOPE = { scopeType: 'Default' };

class ExtensionDataStore implements DocumentStore {
  constructor(
    private readonly collection: string,
    private readonly manager: Promise<IExtensionDataManager>,
  ) {}
  async getAll(): Promise<CacheDoc[]> {
    const m = await this.manager;
    // A missing collection is an error in the service, and simply "nothing cached" here.
    return ((await m.getDocuments(this.collection, SCOPE).catch(() => [])) as CacheDoc[]) ?? [];
  }
  async get(id: string): Promise<CacheDoc | undefined> {
    const m = await this.manager;
    // A missing document is an error in the service, and simply "no index yet" here.
    const doc = (await m.getDocument(this.collection, id, SCOPE).catch(() => undefined)) as CacheDoc | undefined;
    return doc ?? undefined;
  }
  async put(docs: CacheDoc[]): Promise<void> {
    const m = await this.manager;
    await Promise.all(docs.map((d) => m.setDocument(this.collection, { ...d, __etag: -1 }, SCOPE)));
  }
  async delete(ids: string[]): Promise<void> {
    const m = await this.manager;
    await Promise.all(ids.map((id) => m.deleteDocument(this.collection, id, SCOPE)));
  }
}

export async function createSdkContext(kind: 'hub' | 'run-tab'): Promise<HubContext> {
  followTheme();
  await SDK.init({ loaded: false, applyTheme: true });
  const [projectService, location, dataService] = await Promise.all([
    SDK.getService<IProjectPageService>(SERVICES.project),
    SDK.getService<ILocationService>(SERVICES.location),
    SDK.getService<IExtensionDataService>(SERVICES.extensionData),
  ]);
  // Independent host calls, asked at once (each is a round trip to the host frame).
  const [project, buildArea] = await Promise.all([
    projectService.getProject(),
    location.getResourceAreaLocation(BUILD_AREA_ID),
  ]);
  if (!project) throw new Error('Open the Promotions hub from inside a project.');
  let collectionUrl = buildArea;
  if (!collectionUrl.endsWith('/')) collectionUrl += '/';
  // Suppress the sign-in redirect an expired token would otherwise get: we want a 401 to report.
  const rest = new RestClient({
    fetch: (url, init) =>
      fetch(url, {
        ...init,
        headers: { ...init.headers, 'X-TFS-FedAuthRedirect': 'Suppress', 'X-VSS-ReauthenticationAction': 'Suppress' },
      }),
    authorization: async () => `Bearer ${await SDK.getAccessToken()}`,
  });
  const manager = SDK.getAccessToken().then((token) =>
    dataService.getExtensionDataManager(SDK.getExtensionContext().id, token),
  );
  const ctx: HubContext = {
    mode: 'ado',
    api: { rest, collectionUrl, project: project.id },
    store: new ExtensionDataStore(`${DATA_COLLECTION_PREFIX}${project.id}`, manager),
  };
  // The hub's tab and run live in the host page's URL (shareable, survives reload).
  if (kind === 'hub') {
    const navigation = SDK.getService<IHostNavigationService>(SERVICES.navigation);
    // Read only when the UI mounts (after its chunk loads): a host without the service must not
    // leave an unhandled rejection meanwhile; get() and set() still see the failure.
    navigation.catch(() => undefined);
    ctx.state = {
      get: async () =>
        (await navigation)
          .getQueryParams()
          .then((p) =>
            Object.fromEntries(Object.entries(p).filter((e): e is [string, string] => typeof e[1] === 'string')),
          ),
      set: (params) => void navigation.then((n) => n.setQueryParams(params)).catch(() => undefined),
    };
  }
  if (kind === 'run-tab') {
    // The build results view hands the run over through the contribution's configuration
    // (onBuildChanged); the build page data service answers on some hosts only, so it is a
    // bounded best effort for the first render.
    const config = SDK.getConfiguration() as { onBuildChanged?: (cb: (build: { id: number }) => void) => void };
    ctx.onBuildChanged = (listener) => config.onBuildChanged?.((build) => listener(build.id));
    const pageData = SDK.getService<IBuildPageDataService>(SERVICES.buildPage).then(
      (service) => service.getBuildPageData()?.build?.id,
    );
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 2000));
    ctx.buildId = await Promise.race([pageData.catch(() => undefined), timeout]);
  }
  void SDK.notifyLoadSucceeded();
  return ctx;
}

export function reportLoadFailure(err: unknown): void {
  void SDK.notifyLoadFailed(err instanceof Error ? err : String(err));
}
