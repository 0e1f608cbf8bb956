import { setMaxListeners } from 'node:events';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskError, TimeoutError, errorMessage, isTaskError } from './errors';
import { TaskHost, TaskResultKind, RunInfo, readRunInfo } from './host';
import { HttpClient } from './http';
import { InputReader } from './inputs';
import {
  LEDGER_ATTACHMENT_TYPE,
  LEDGER_BUILD_TAG,
  RecordDraft,
  RecordStatus,
  TaskName,
  finishRecord,
  newRecordId,
  writeRecordFiles,
} from './ledger';
import { TaskManifest } from './manifest';
import { SecretRegistry, minSecretLength } from './secrets';
import { AgentNetwork, networkFetch, readAgentNetwork } from './network/agent-network';

export interface TaskContext {
  host: TaskHost;
  secrets: SecretRegistry;
  /** Aborted when the task's timeout input runs out or the agent cancels the job. */
  signal: AbortSignal;
  deadline: number;
  http: HttpClient;
  record: RecordDraft;
  run: RunInfo;
  tempDir: string;
  debug: boolean;
  /** The agent's proxy and certificate settings: every client of the task is built from them. */
  network: AgentNetwork;
}

export interface TaskOutcome {
  status?: 'succeeded' | 'succeededWithIssues';
  message: string;
  outputs?: Record<string, string>;
}

export interface TaskDefinition<O> {
  manifest: TaskManifest;
  /** Reads and validates every input; problems go to the reader, which the runner checks. */
  readOptions(inputs: InputReader, host: TaskHost): O;
  /** The input that bounds the whole run, and its value. */
  timeout(options: O): { ms: number; input: string };
  execute(ctx: TaskContext, options: O): Promise<TaskOutcome>;
}

class CancelledError extends TaskError {}

/** With System.Debug, the inputs as read (secrets, already registered, shown as ***). */
function logInputs(manifest: TaskManifest, host: TaskHost, secrets: SecretRegistry): void {
  host.debug(`${manifest.name} ${manifest.version.Major}.${manifest.version.Minor}.${manifest.version.Patch}`);
  for (const input of manifest.inputs) {
    const value = host.input(input.name);
    if (value !== undefined) host.debug(`input ${input.name}=${secrets.redact(value)}`);
  }
}

/** How long a task may take to wind down after its deadline before the runner stops waiting. */
const GRACE_MS = 3000;

/** The one place that turns an outcome or an error into a result, a record and an exit code. */
export async function runTask<O>(
  def: TaskDefinition<O>,
  host: TaskHost,
  now: () => number = Date.now,
): Promise<number> {
  const startedAt = now();
  const debug = (host.variable('System.Debug') ?? '').toLowerCase() === 'true';
  const secrets = new SecretRegistry(
    (v) => host.setSecret(v),
    minSecretLength(host.variable('AZP_IGNORE_SECRETS_SHORTER_THAN')),
  );
  const task = def.manifest.name as TaskName;
  const v = def.manifest.version;

  // The agent expands secret variables into inputs as plain text: whatever input they reach, the
  // task's own outputs (records, summaries, messages) must never carry them.
  for (const value of host.secretVariables().values()) secrets.register(value);

  let options: O;
  try {
    const reader = new InputReader({ get: (n) => host.input(n) }, def.manifest, secrets);
    options = def.readOptions(reader, host);
    reader.check();
    if (debug) logInputs(def.manifest, host, secrets);
  } catch (err) {
    // Invalid input: nothing happened, so there is nothing to record.
    return finish(host, 'Failed', secrets.redact(describe(err, debug)));
  }

  const { ms, input } = def.timeout(options);
  const controller = new AbortController();
  // Every request of the run listens to this signal: a promotion has a dozen or more in flight (six blob
  // transfers, each a GET and an upload, plus HEADs), past Node's leak warning at 10, which then writes a
  // MaxListenersExceededWarning to stderr (≈10 ms of util.inspect and a synchronous write, and noise in the log).
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new TimeoutError(task, ms, input)), ms);
  const onSignal = (): void => controller.abort(new CancelledError(`${task} was cancelled.`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const run = readRunInfo((n) => host.variable(n));
  const network = readAgentNetwork(host, secrets);
  const tempDir = host.variable('Agent.TempDirectory') || os.tmpdir();
  const ctx: TaskContext = {
    host,
    secrets,
    signal: controller.signal,
    deadline: startedAt + ms,
    http: new HttpClient({
      signal: controller.signal,
      deadline: startedAt + ms,
      log: (m) => host.debug(m),
      fetchImpl: networkFetch(network),
    }),
    record: { details: {} },
    run,
    tempDir,
    debug,
    network,
  };

  let status: RecordStatus;
  let message: string;
  let error: string | undefined;
  try {
    const outcome = await withDeadline(def.execute(ctx, options), controller.signal);
    for (const [name, value] of Object.entries(outcome.outputs ?? {})) host.setOutput(name, value);
    status = outcome.status ?? 'succeeded';
    message = outcome.message;
  } catch (err) {
    const reason = controller.signal.aborted ? controller.signal.reason : err;
    status = reason instanceof CancelledError ? 'cancelled' : 'failed';
    message = secrets.redact(describe(reason, debug));
    error = secrets.redact(errorMessage(reason));
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  try {
    const record = finishRecord(ctx.record, {
      id: newRecordId(),
      task,
      taskVersion: `${v.Major}.${v.Minor}.${v.Patch}`,
      run,
      startedAt,
      finishedAt: now(),
      status,
      error,
    });
    const files = writeRecordFiles(path.join(tempDir, 'multicloud-devsecops'), record, (t) => secrets.redact(t));
    host.addAttachment(LEDGER_ATTACHMENT_TYPE, `${task}-${record.id}`, files.recordPath);
    host.uploadSummary(files.summaryPath, `${def.manifest.friendlyName} (${STATUS_LABEL[status]})`);
    // The tag is what lets the hub list only these runs (build/builds?tagFilters=), never a window of the newest.
    host.addBuildTag(LEDGER_BUILD_TAG);
  } catch (err) {
    host.warn(`Could not write the promotion ledger record: ${secrets.redact(errorMessage(err))}`);
  }

  return finish(host, RESULT_OF[status], secrets.redact(message));
}

/** Words for the summary section title. */
const STATUS_LABEL: Record<RecordStatus, string> = {
  succeeded: 'succeeded',
  succeededWithIssues: 'succeeded with issues',
  failed: 'failed',
  cancelled: 'canceled',
};

/** Record status → the agent's TaskResult enum member (src/Agent.Worker/TaskCommandExtension.cs parses it strictly). */
const RESULT_OF: Record<RecordStatus, TaskResultKind> = {
  succeeded: 'Succeeded',
  succeededWithIssues: 'SucceededWithIssues',
  failed: 'Failed',
  cancelled: 'Canceled',
};

/**
 * The result travels only in ##vso[task.complete]; the process always exits 0. The agent's Node
 * handler runs tasks with requireExitCodeZero (src/Agent.Worker/Handlers/NodeHandler.cs: "Task
 * failure should be communicated over STDOUT"), so any other code adds a second error
 * ("Exit code N returned from process") and fails even a SucceededWithIssues step.
 */
function finish(host: TaskHost, result: TaskResultKind, message: string): number {
  host.setResult(result, message);
  host.exit(0);
  return 0;
}

/** Users see the message; a stack trace only helps us, so it appears only with System.Debug. */
function describe(err: unknown, debug: boolean): string {
  const message = errorMessage(err);
  if (isTaskError(err)) return message;
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `${message}${stack}`;
}

/** Resolves with the task, or rejects soon after the deadline even if the task ignores its signal. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      grace = setTimeout(() => reject(signal.reason), GRACE_MS);
      grace.unref();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (grace) clearTimeout(grace);
    });
  });
}
