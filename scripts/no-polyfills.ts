import type { Plugin } from 'esbuild';

/**
 * azure-devops-ui's CommonImports.js, imported by each of its components, loads four polyfills for old
 * browsers: Promise, Object.assign, ES2015 string methods, IntersectionObserver. Every browser the hub is
 * built for (scripts/build-hub.ts: Chrome and Edge 100, Firefox 100, Safari 15) has all four natively, so
 * each polyfill only checks that and returns; shipped, they are still ~18 KiB of the UI's shared chunk to
 * download, compile (eagerly, with V8's compile hint) and evaluate before the first matrix.
 */
export const POLYFILLS = [
  'es6-promise/auto',
  'es6-object-assign/auto',
  'es6-string-polyfills',
  'intersection-observer',
];

/** The esbuild plugin: those four imports of CommonImports.js, and only there, become an empty module. */
export const noPolyfillsPlugin: Plugin = {
  name: 'no-polyfills',
  setup(build) {
    const names = new Set(POLYFILLS);
    build.onResolve({ filter: /^(es6-|intersection-observer$)/ }, (args) =>
      names.has(args.path) && /azure-devops-ui[\\/]CommonImports\.js$/.test(args.importer)
        ? { path: args.path, namespace: 'no-polyfill' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'no-polyfill' }, () => ({ contents: '', loader: 'js' }));
  },
};
