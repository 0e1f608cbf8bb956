import { AgentEnvironment } from './agent-environment';
import { EndpointAccessor, TaskHost, TaskResultKind } from './host';
import { writeCommand } from './vso-command';

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
  const skipDebug = !debugMode && (env.variable('DistributedTask.Tasks.Node.SkipDebugLogsWhenDebugModeOff') ?? '').toLowerCase() === 'true';
  const issue = (type: 'error' | 'warning', message: string): void =>
    writeCommand('task.issue', { type, source: 'TaskInternal', correlationId: env.correlationId }, message);

  const endpoints: EndpointAccessor = {
    url: (id) => env.public(`ENDPOINT_URL_${id}`),
    scheme: (id) => env.private(`ENDPOINT_AUTH_SCHEME_${id}`) ?? authBlob(env, id)?.scheme,
    authParam: (id, key) => env.private(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) ?? blobParam(authBlob(env, id)?.parameters, key),
    data: (id, key) => env.public(`ENDPOINT_DATA_${id}_${key.toUpperCase()}`),
  };

  return {
    input: (name) => env.input(name),
    variable: (name) => env.variable(name),
    secretVariables: () => env.secretVariables(),
    endpoints,
    setSecret: (value) => writeCommand('task.setsecret', {}, value),
    setOutput: (name, value, isSecret = false) => {
      env.setVariable(name, value, isSecret);
      writeCommand('task.setvariable', { variable: name, isOutput: 'true', issecret: String(isSecret) }, value);
    },
    setVariable: (name, value, isSecret) => {
      env.setVariable(name, value, isSecret);
      writeCommand('task.setvariable', { variable: name, isOutput: 'false', issecret: String(isSecret) }, value);
    },
    addAttachment: (type, name, path) => writeCommand('task.addattachment', { type, name }, path),
    uploadSummary: (path) => writeCommand('task.uploadsummary', {}, path),
    // Agent: Agent.Worker/Build/BuildCommandExtension.cs, BuildAddBuildTagCommand (tag in the message).
    addBuildTag: (tag) => writeCommand('build.addbuildtag', {}, tag),
    info: (message) => process.stdout.write(`${message}\n`),
    warn: (message) => issue('warning', message),
    debug: (message) => {
      if (!skipDebug) writeCommand('task.debug', {}, message);
    },
    setResult: (result: TaskResultKind, rawMessage) => {
      const message = capMessage(rawMessage);
      if (result === 'Failed' && message) issue('error', message);
      else if (result === 'SucceededWithIssues' && message) issue('warning', message);
      writeCommand('task.complete', { result, done: 'true' }, message);
    },
    exit: (code) => exitAfterFlush(code),
  };
}

/** Some connection types (Docker Registry) carry parameters only in the ENDPOINT_AUTH_<id> JSON blob. */
function authBlob(env: AgentEnvironment, id: string): { scheme?: string; parameters?: Record<string, string> } | undefined {
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
