import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { SecretVariables, SmokeTestOptions, readSmokeTestOptions } from './options';

/** The agent host passes task-lib's secret variables; in-process tests pass their own. */
export function createDefinition(secretVariables: SecretVariables = () => new Map()): TaskDefinition<SmokeTestOptions> {
  return {
    manifest: manifest as TaskManifest,
    readOptions: (inputs, host) => readSmokeTestOptions(inputs, host, secretVariables),
    timeout: (o) => ({ ms: o.taskTimeoutMinutes * 60_000, input: 'taskTimeoutMinutes' }),
    // The executor is a separate bundle, loaded once the inputs are valid.
    execute: async (ctx, o) => (await import('./execute')).executeSmokeTest(ctx, o),
  };
}

export const definition = createDefinition();
