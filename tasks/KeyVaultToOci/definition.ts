import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { KeyVaultToOciOptions, readKeyVaultToOciOptions } from './options';

export const definition: TaskDefinition<KeyVaultToOciOptions> = {
  manifest: manifest,
  readOptions: readKeyVaultToOciOptions,
  timeout: (o) => ({ ms: o.timeoutMinutes * 60_000, input: 'timeoutMinutes' }),
  // Loaded only once the inputs are valid: the executor bundle carries the Azure and OCI SDKs.
  execute: async (ctx, o) => (await import('./execute')).executeKeyVaultToOci(ctx, o),
};
