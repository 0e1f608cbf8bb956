import { NotImplementedError } from '../common/errors';
import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { CanaryShiftOptions, readCanaryShiftOptions } from './options';

export const definition: TaskDefinition<CanaryShiftOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readCanaryShiftOptions,
  timeout: (o) => ({ ms: o.rolloutTimeoutSeconds * 1000, input: 'rolloutTimeoutSeconds' }),
  execute: async (_ctx, o) => {
    throw new NotImplementedError('CanaryShift', `the ${o.action} action`);
  },
};
