import { format } from 'node:util';
import { TaskContext, TaskOutcome } from '../common/runner';
import { BackendDeps, BackendFactory } from './backend';
import { createOciBackend } from './oci/backend';
import { createOperatorBackend } from './operator/backend';
import { OracleDbProvisionOptions } from './options';
import { executeWith } from './run-plan';

/**
 * The executor bundle (loaded only once the inputs are valid): picks how to reach the database
 * and runs the shared look → plan → act loop.
 */
export const BACKENDS: Record<OracleDbProvisionOptions['target'], BackendFactory> = {
  ociApi: createOciBackend,
  operator: createOperatorBackend,
};

export async function executeOracleDbProvision(
  ctx: TaskContext,
  o: OracleDbProvisionOptions,
  deps: BackendDeps,
): Promise<TaskOutcome> {
  // oci-common's retrier writes every retry and refusal to console.warn ("Request failed with
  // Exception : [object Object]"): our own messages say it better, so its chatter goes to debug.
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => ctx.host.debug(ctx.secrets.redact(format(...args)));
  try {
    return await executeWith(ctx, o, await BACKENDS[o.target](ctx, o, deps));
  } finally {
    console.warn = warn;
  }
}
