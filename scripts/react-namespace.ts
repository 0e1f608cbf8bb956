import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Plugin } from 'esbuild';

/**
 * React ships CommonJS. For every ES module that imports it (`import * as React from "react"`: each of
 * azure-devops-ui's ~110 component modules and the hub's own), esbuild's interop makes a namespace copy of
 * React's exports (__toESM: a getter per export, ~30 each), all while the UI's chunk is evaluated, and every
 * later `React.createElement` in a render goes through such a getter. A CPU profile of a warm load put ~12 ms
 * of main thread in __toESM/__copyProps before the first matrix. This plugin sends those imports to one ES
 * module that takes React's exports once and re-exports them by name (their names read from the React the
 * build bundles), so esbuild binds `React.x` straight to them. CommonJS code (react-dom's `require`) is
 * left as it is.
 */
const NAMESPACE = 'react-namespace';

export function reactNamespacePlugin(root: string): Plugin {
  return {
    name: NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^react$/ }, (args) =>
        args.namespace !== NAMESPACE && (args.kind === 'import-statement' || args.kind === 'dynamic-import')
          ? { path: 'react', namespace: NAMESPACE }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, () => {
        const names = reactExports(root).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
        return {
          contents: [
            "import * as React from 'react';",
            `export const { ${names.join(', ')} } = React;`,
            'export default React;',
          ].join('\n'),
          resolveDir: root,
          loader: 'js',
        };
      });
    },
  };
}

/** The export names of the React that a build from `root` bundles (read from the package itself). */
export function reactExports(root: string): string[] {
  const load = createRequire(path.join(root, 'package.json'));
  return Object.keys(load('react') as object).filter((n) => n !== 'default');
}
