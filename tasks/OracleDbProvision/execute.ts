import { format } from 'node:util';
import { TaskContext, TaskOutcome } from '../common/runner';
import { BackendDeps, BackendFactory } from './backend';
import { OracleDbProvisionOptions } from './options';
import { PublishCredentials, executeWith } from './run-plan';

/** A backend and the publishing it runs with, each loaded only when used. */
interface BackendKind {
  readonly load: () => Promise<BackendFactory>;
  readonly publish: () => Promise<PublishCredentials>;
}

/**
 * The executor bundle (loaded only once the inputs are valid): picks how to reach the database
 * and runs the shared look → plan → act loop. Each backend's SDKs are a bundle of their own
 * (lazy-*.ts, scripts/build.ts): an OCI API run never loads @kubernetes/client-node, an operator
 * run never loads the OCI SDKs, and execute.js holds neither.
 */
export const BACKENDS: Record<OracleDbProvisionOptions['target'], BackendKind> = {
  ociApi: {
    load: async () => (await import('./lazy-oci')).createOciBackend,
    publish: async () => (await import('./lazy-publish')).publishCredentials,
  },
  operator: {
    load: async () => (await import('./lazy-operator')).createOperatorBackend,
    publish: async () => (await import('./lazy-operator')).publishCredentials,
  },
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
    const kind = BACKENDS[o.target];
    const backend = await (await kind.load())(ctx, o, deps);
    return await executeWith(ctx, o, backend, kind.publish);
  } finally {
    console.warn = warn;
  }
}
