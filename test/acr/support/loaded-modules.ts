import * as fs from 'node:fs';

/**
 * Preload for a task process (NODE_OPTIONS=-r <this file>): at exit, writes the Node built-ins the process
 * loaded (process.moduleLoadList, "NativeModule <name>" lines) and the files it required ("File <path>" lines,
 * from require.cache) to $MCDSO_LOADED_MODULES, so a test can say what a run did not need to load (TLS for
 * plain-HTTP registries, the other backend's bundle for OracleDbProvision).
 */
process.on('exit', () => {
  const out = process.env.MCDSO_LOADED_MODULES;
  const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  const builtins = Array.isArray(list) ? list : ['moduleLoadList unavailable'];
  const files = Object.keys(require.cache).map((f) => `File ${f}`);
  if (out) fs.writeFileSync(out, [...builtins, ...files].join('\n'));
});
