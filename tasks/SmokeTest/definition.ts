import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { SmokeTestOptions, readSmokeTestOptions } from './options';

export function createDefinition(): TaskDefinition<SmokeTestOptions> {
  return {
    manifest: manifest as TaskManifest,
    readOptions: readSmokeTestOptions,
    timeout: (o) => ({ ms: o.taskTimeoutMinutes * 60_000, input: 'taskTimeoutMinutes' }),
    // The executor is a separate bundle, loaded once the inputs are valid.
    execute: async (ctx, o) => (await import('./execute')).executeSmokeTest(ctx, o),
  };
}

export const definition = createDefinition();
