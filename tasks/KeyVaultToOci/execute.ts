import { TaskContext, TaskOutcome } from '../common/runner';
import { KeyVaultToOciOptions } from './options';
import { syncSecrets } from './sync';

/**
 * The executor entry: scripts/build.ts bundles it (with the Azure and OCI SDKs) separately from
 * index.js, so a run that fails on its inputs never loads the SDKs.
 */
export function executeKeyVaultToOci(ctx: TaskContext, options: KeyVaultToOciOptions): Promise<TaskOutcome> {
  return syncSecrets(ctx, options);
}
