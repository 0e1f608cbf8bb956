import { NotImplementedError } from '../common/errors';
import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { KeyVaultToOciOptions, readKeyVaultToOciOptions } from './options';

export const definition: TaskDefinition<KeyVaultToOciOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readKeyVaultToOciOptions,
  timeout: (o) => ({ ms: o.timeoutMinutes * 60_000, input: 'timeoutMinutes' }),
  execute: async () => {
    throw new NotImplementedError('KeyVaultToOci', 'secret synchronisation');
  },
};
