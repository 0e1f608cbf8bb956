import { NotImplementedError } from '../common/errors';
import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { AcrPromoteOptions, readAcrPromoteOptions } from './options';

export const definition: TaskDefinition<AcrPromoteOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readAcrPromoteOptions,
  timeout: (o) => ({ ms: o.timeoutMinutes * 60_000, input: 'timeoutMinutes' }),
  execute: async () => {
    throw new NotImplementedError('AcrPromote', 'image promotion');
  },
};
