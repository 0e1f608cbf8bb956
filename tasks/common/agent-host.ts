import { EOL } from 'node:os';
import { AgentEnvironment } from './agent-environment';
import { variableKey } from './variable-key';
import { EndpointAccessor, TaskHost, TaskResultKind } from './host';
import { formatCommand, joinsIntoOpener, neutralise } from './vso-command';

/** Summary sections are attachments of this type; their name is the section title (TaskCommandExtension.cs). */
const SUMMARY_ATTACHMENT_TYPE = 'Distributedtask.Core.Summary';

type Write = (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;

/**
 * Every byte the task process writes to stdout or stderr passes neutralise() — our own log lines,
 * libraries' console output, Node's warnings — except the commands the host itself issues. A write
 * that would complete "##vso[" or "##[" together with the previous one on the same line gets a space
 * in between. Returns the raw writer for commands.
 */
function guardStreams(): (text: string) => void {
  const raw = process.stdout.write.bind(process.stdout) as Write;
  const tails = new Map<NodeJS.WriteStream, string>();
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as Write;
    tails.set(stream, '');
    const guarded: Write = (chunk, ...rest) => {
      let text = neutralise(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const tail = tails.get(stream)!;
      if (joinsIntoOpener(tail, text)) text = ` ${text}`;
      const nl = text.lastIndexOf('\n');
      tails.set(stream, nl >= 0 ? text.slice(nl + 1) : (tail + text).slice(-64));
      return original(text, ...rest);
    };
    stream.write = guarded;
  }
  return (text) => {
    // A command starts its own line, even after a library's partial write.
    const pending = tails.get(process.stdout)!;
    raw(`${pending ? EOL : ''}${text}${EOL}`);
    tails.set(process.stdout, '');
  };
}

/** The longest result message written; the agent shows it twice (error issue and result), a few KiB is plenty. */
const MESSAGE_LIMIT = 8 * 1024;

function capMessage(message: string): string {
  if (message.length <= MESSAGE_LIMIT) return message;
  return `${message.slice(0, MESSAGE_LIMIT)}… (message cut: ${message.length} characters)`;
}

/**
 * Exits once stdout and stderr have been handed to the OS. With stdout a pipe (as the agent runs
 * tasks), a write larger than the pipe buffer (64 KiB on Linux) is only partly written at once and
 * libuv queues the rest; process.exit() right after it drops the queue, and with it the
 * ##vso[task.complete] line written last. A write's callback runs after everything queued before
 * it, so exiting from the callbacks loses nothing.
 */
function exitAfterFlush(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * The TaskHost the agent runs: the same wire contract as task-lib (environment in, ##vso
 * commands out) in a few dozen lines. task-lib's own import costs about 0.8× a bare Node start,
 * which alone would leave every task at twice Node's cold start; its getters also print input,
 * variable and endpoint values in debug lines before a task could mask them.
 */
export function createAgentHost(env: AgentEnvironment = new AgentEnvironment()): TaskHost {
  const debugMode = (env.variable('System.Debug') ?? '').toLowerCase() === 'true';
  const skipDebug =
    !debugMode &&
    (env.variable('DistributedTask.Tasks.Node.SkipDebugLogsWhenDebugModeOff') ?? '').toLowerCase() === 'true';
  const emit = guardStreams();
  const command = (name: string, props: Record<string, string | undefined>, message: string): void =>
    emit(formatCommand(name, props, message));
  const issue = (type: 'error' | 'warning', message: string): void =>
    command('task.issue', { type, source: 'TaskInternal', correlationId: env.correlationId }, neutralise(message));
  /**
   * Once a secret, always a secret (task-lib task.ts setVariable): a name the job already knows as
   * secret stays secret, or the agent would make it public for every later step.
   */
  const setVariable = (name: string, value: string, isSecret: boolean, isOutput: boolean): void => {
    const secret = isSecret || env.isSecret(variableKey(name));
    env.setVariable(name, value, secret);
    command('task.setvariable', { variable: name, isOutput: String(isOutput), issecret: String(secret) }, value);
  };

  const endpoints: EndpointAccessor = {
    url: (id) => env.public(`ENDPOINT_URL_${id}`),
    scheme: (id) => env.private(`ENDPOINT_AUTH_SCHEME_${id}`) ?? authBlob(env, id)?.scheme,
    authParam: (id, key) =>
      env.private(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) ??
      blobParam(authBlob(env, id)?.parameters, key),
    data: (id, key) => env.public(`ENDPOINT_DATA_${id}_${variableKey(key)}`),
  };

  return {
    input: (name) => env.input(name),
    variable: (name) => env.variable(name),
    secretVariables: () => env.secretVariables(),
    endpoints,
    setSecret: (value) => command('task.setsecret', {}, value),
    setOutput: (name, value, isSecret = false) => setVariable(name, value, isSecret, true),
    setVariable: (name, value, isSecret) => setVariable(name, value, isSecret, false),
    addAttachment: (type, name, path) => command('task.addattachment', { type, name: neutralise(name) }, path),
    uploadSummary: (path, title) =>
      command('task.addattachment', { type: SUMMARY_ATTACHMENT_TYPE, name: neutralise(title) }, path),
    command: (name, props, message) => command(name, props, message),
    // Agent: Agent.Worker/Build/BuildCommandExtension.cs, BuildAddBuildTagCommand (tag in the message).
    addBuildTag: (tag) => command('build.addbuildtag', {}, neutralise(tag)),
    info: (message) => process.stdout.write(`${neutralise(message)}\n`),
    warn: (message) => issue('warning', message),
    debug: (message) => {
      if (!skipDebug) command('task.debug', {}, neutralise(message));
    },
    setResult: (result: TaskResultKind, rawMessage) => {
      const message = capMessage(rawMessage);
      if (result === 'Failed' && message) issue('error', message);
      else if (result === 'SucceededWithIssues' && message) issue('warning', message);
      command('task.complete', { result, done: 'true' }, neutralise(message));
    },
    exit: (code) => exitAfterFlush(code),
  };
}

/** Some connection types (Docker Registry) carry parameters only in the ENDPOINT_AUTH_<id> JSON blob. */
function authBlob(
  env: AgentEnvironment,
  id: string,
): { scheme?: string; parameters?: Record<string, string> } | undefined {
  const blob = env.private(`ENDPOINT_AUTH_${id}`);
  if (!blob) return undefined;
  try {
    return JSON.parse(blob) as { scheme?: string; parameters?: Record<string, string> };
  } catch {
    return undefined;
  }
}

function blobParam(params: Record<string, string> | undefined, key: string): string | undefined {
  const match = Object.keys(params ?? {}).find((k) => k.toLowerCase() === key.toLowerCase());
  return match ? params![match] : undefined;
}
