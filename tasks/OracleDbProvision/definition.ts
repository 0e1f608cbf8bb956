import { TaskManifest } from '../common/manifest';
import { TaskContext, TaskDefinition } from '../common/runner';
import manifest from './task.json';
import type { BackendDeps } from './backend';
import { OracleDbProvisionOptions, readOracleDbProvisionOptions } from './options';
import { DEFAULT_POLL } from './wait';

/** Tests shorten the polling and retries; the pipeline always uses the defaults. */
export function createDefinition(deps: BackendDeps = { poll: DEFAULT_POLL }): TaskDefinition<OracleDbProvisionOptions> {
  return {
    manifest: manifest as TaskManifest,
    readOptions: readOracleDbProvisionOptions,
    timeout: (o) => ({ ms: o.waitTimeoutMinutes * 60_000, input: 'waitTimeoutMinutes' }),
    // The executor and its SDKs are a separate bundle, loaded only after the inputs are valid.
    execute: async (ctx: TaskContext, o) => (await import('./execute')).executeOracleDbProvision(ctx, o, deps),
  };
}

export const definition = createDefinition();
