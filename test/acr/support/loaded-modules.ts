import * as fs from 'node:fs';

/**
 * Preload for a task process (NODE_OPTIONS=-r <this file>): at exit, writes the Node built-ins the process
 * loaded (process.moduleLoadList, "NativeModule <name>" lines) to $MCDSO_LOADED_MODULES, so a test can say
 * what a run did not need to load (TLS for plain-HTTP registries).
 */
process.on('exit', () => {
  const out = process.env.MCDSO_LOADED_MODULES;
  const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  if (out) fs.writeFileSync(out, Array.isArray(list) ? list.join('\n') : 'moduleLoadList unavailable');
});
