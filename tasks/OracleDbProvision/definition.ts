import { NotImplementedError } from '../common/errors';
import { TaskManifest } from '../common/manifest';
import { TaskDefinition } from '../common/runner';
import manifest from './task.json';
import { OracleDbProvisionOptions, readOracleDbProvisionOptions } from './options';

export const definition: TaskDefinition<OracleDbProvisionOptions> = {
  manifest: manifest as TaskManifest,
  readOptions: readOracleDbProvisionOptions,
  timeout: (o) => ({ ms: o.waitTimeoutMinutes * 60_000, input: 'waitTimeoutMinutes' }),
  execute: async (_ctx, o) => {
    throw new NotImplementedError('OracleDbProvision', `the ${o.action} action through ${o.target === 'ociApi' ? 'the OCI API' : 'the Oracle Database Operator'}`);
  },
};
