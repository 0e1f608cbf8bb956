import { NotImplementedError } from '../common/errors';
import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { SmokeTestOptions, readSmokeTestOptions } from './options';

export const definition: TaskDefinition<SmokeTestOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readSmokeTestOptions,
  timeout: (o) => ({ ms: o.taskTimeoutMinutes * 60_000, input: 'taskTimeoutMinutes' }),
  execute: async () => {
    throw new NotImplementedError('SmokeTest', 'running HTTP checks');
  },
};
