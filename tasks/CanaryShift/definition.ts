import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { CanaryShiftOptions, readCanaryShiftOptions } from './options';

export const definition: TaskDefinition<CanaryShiftOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readCanaryShiftOptions,
  timeout: (o) => ({ ms: o.rolloutTimeoutSeconds * 1000, input: 'rolloutTimeoutSeconds' }),
  // Loaded only once the inputs are valid: the executor bundle carries @kubernetes/client-node.
  execute: async (ctx, o) => (await import('./execute')).executeCanaryShift(ctx, o),
};
