import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { AcrPromoteOptions, readAcrPromoteOptions } from './options';

export const definition: TaskDefinition<AcrPromoteOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readAcrPromoteOptions,
  timeout: (o) => ({ ms: o.timeoutMinutes * 60_000, input: 'timeoutMinutes' }),
  // A dynamic import keeps execute.js (a separate bundle, see scripts/build.ts) unloaded until the inputs are valid.
  execute: async (ctx, o) => (await import('./execute')).executeAcrPromote(ctx, o),
};
