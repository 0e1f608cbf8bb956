/*
 * A stand-in for the Azure DevOps web page that frames the hub: it speaks the SDK's own XDM
 * protocol (the same module the host uses) on a different origin, answers the handshake,
 * hands out an access token, and provides the services the hub asks for (project page data,
 * location, extension data storage kept in memory, build page data, navigation (query parameters)).
 * Plain JS on purpose:
 * it runs in the test browser only and is bundled by the test.
 */
// 'sdk-xdm' is aliased by the test's bundler to azure-devops-extension-sdk/esm/XDM.js (not exported by the package).
import { channelManager } from 'sdk-xdm';
import { THEMES } from './themes';

const params = new URLSearchParams(location.search);
const frameUrl = params.get('frame');
const kind = params.get('kind') || 'hub';
const token = params.get('token');
const collectionUrl = params.get('collection');
const buildId = Number(params.get('buildId') || 0);
// ?theme=light|dark|high-contrast plays that Azure DevOps theme (the handshake's themeData); default: test values.
const theme = THEMES[params.get('theme') || ''];
if (theme) document.body.style.background = theme['background-color'];

const state = {
  handshake: undefined,
  loadSucceeded: false,
  loadFailed: [],
  tokens: 0,
  services: [],
  documents: {},
  writes: [],
};
window.__host = state;

const iframe = document.createElement('iframe');
iframe.src = frameUrl;
iframe.style.width = '1380px';
iframe.style.height = '1200px';
document.body.appendChild(iframe);

const channel = channelManager.addChannel(iframe.contentWindow, new URL(frameUrl).origin);
const registry = channel.getObjectRegistry();

const buildListeners = [];
registry.register('DevOps.HostControl', {
  initialHandshake(options) {
    state.handshake = { loaded: options.loaded, applyTheme: options.applyTheme, sdkVersion: options.sdkVersion };
    return {
      contributionId: `multicloud-devsecops.multicloud-devsecops.${kind === 'hub' ? 'promotions-hub' : 'promotion-run-tab'}`,
      context: {
        extension: {
          id: 'multicloud-devsecops.multicloud-devsecops',
          publisherId: 'multicloud-devsecops',
          extensionId: 'multicloud-devsecops',
          version: '0.1.0',
        },
        user: { id: 'u1', name: 'Dana Okafor', displayName: 'Dana Okafor', descriptor: 'aad.u1', imageUrl: '' },
        host: { id: 'h1', name: 'contoso', serviceVersion: 'fake', type: 4 },
        pageContext: {
          webContext: { project: { id: 'shop', name: 'shop' }, team: { id: 't', name: 't' } },
          globalization: {},
        },
      },
      initialConfig:
        kind === 'run-tab'
          ? {
              onBuildChanged: (cb) => {
                buildListeners.push(cb);
                cb({ id: buildId });
              },
            }
          : {},
      themeData: theme || { 'test-theme-var': 'rgb(1, 2, 3)', 'text-primary-color': 'rgba(0, 0, 0, .9)' },
    };
  },
  getAccessToken() {
    state.tokens++;
    return { token };
  },
  notifyLoadSucceeded() {
    state.loadSucceeded = true;
  },
  notifyLoadFailed(e) {
    state.loadFailed.push(String(e && e.message ? e.message : e));
  },
  resize() {},
});

const services = {
  'ms.vss-tfs-web.tfs-page-data-service': { getProject: () => ({ id: 'shop', name: 'shop' }) },
  'ms.vss-features.location-service': { getResourceAreaLocation: () => collectionUrl },
  'ms.vss-build-web.build-page-data-service': { getBuildPageData: () => undefined },
  // IHostNavigationService (azure-devops-extension-api Common/CommonServices.d.ts): the host page's own
  // query string; setQueryParams adds, updates, or removes (an empty value) parameters.
  'ms.vss-features.host-navigation-service': {
    getQueryParams: () => Object.fromEntries(new URLSearchParams(location.search).entries()),
    setQueryParams(parameters) {
      const q = new URLSearchParams(location.search);
      for (const [k, v] of Object.entries(parameters || {})) {
        if (v) q.set(k, String(v));
        else q.delete(k);
      }
      window.history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
    },
  },
  'ms.vss-features.extension-data-service': {
    getExtensionDataManager(extensionId, accessToken) {
      state.managerFor = { extensionId, tokenMatches: accessToken === token };
      const scoped = (collection, options) => `${(options && options.scopeType) || 'Default'}/${collection}`;
      return {
        getDocuments(collection, options) {
          const key = scoped(collection, options);
          if (!state.documents[key]) return Promise.reject(new Error(`Collection ${collection} does not exist`));
          return Object.values(state.documents[key]);
        },
        getDocument(collection, id, options) {
          const doc = (state.documents[scoped(collection, options)] || {})[id];
          if (!doc) return Promise.reject(new Error(`Document ${id} does not exist`));
          return doc;
        },
        setDocument(collection, doc, options) {
          const key = scoped(collection, options);
          state.documents[key] = state.documents[key] || {};
          state.documents[key][doc.id] = JSON.parse(JSON.stringify(doc));
          state.writes.push({ key, id: doc.id, etag: doc.__etag });
          return doc;
        },
        deleteDocument(collection, id, options) {
          delete (state.documents[scoped(collection, options)] || {})[id];
        },
      };
    },
  },
};

registry.register('DevOps.ServiceManager', {
  getService(id) {
    state.services.push(id);
    if (!services[id]) throw new Error(`No service ${id}`);
    return services[id];
  },
});
