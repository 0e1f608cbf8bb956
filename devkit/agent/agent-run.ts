import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { ProcessedCommand, newStepState, processLine, prop } from './command-processor';
import { HostType, rootFilePathInput } from './file-path';
import { SecretMasker, isMaskedAuthParameter } from './secret-masker';
import { taskJsonProblems } from './task-json-rules';
import { variableKey } from '../../tasks/common/variable-key';
import { processTempDir } from '../support/process-temp';

/** A service connection as the agent hands it to a task. */
export interface Endpoint {
  url?: string;
  scheme?: string;
  auth?: Record<string, string>;
  data?: Record<string, string>;
}

/** The agent's proxy settings (.proxy / .proxycredentials / .proxybypass), as the job sees them. */
export interface AgentProxy {
  url: string;
  username?: string;
  password?: string;
  bypass?: string[];
}

/** The agent's certificate settings (config --sslcacert/--sslclientcert…, --sslskipcertvalidation). */
export interface AgentCertificates {
  caFile?: string;
  clientCert?: string;
  clientCertKey?: string;
  clientCertArchive?: string;
  clientCertPassword?: string;
  skipCertValidation?: boolean;
}

export interface AgentRunOptions {
  /** Folder holding task.json and the bundle named by its Node20_1 execution target. */
  taskDir: string;
  inputs?: Record<string, string>;
  endpoints?: Record<string, Endpoint>;
  /** Pipeline variables (System.Debug, Build.BuildId…). */
  variables?: Record<string, string>;
  /** Secret pipeline variables: passed as SECRET_* the way the agent does. */
  secretVariables?: Record<string, string>;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Sends this signal after the given delay, to test cancellation and kills. */
  kill?: { afterMs: number; signal: NodeJS.Signals };
  /** A pipeline job (filePath inputs rooted at the repository) or a classic release job (at the artifacts). */
  hostType?: HostType;
  /** The job access token, the SYSTEMVSSCONNECTION endpoint's AccessToken (always present). */
  systemAccessToken?: string;
  /** Also expose the token as System.AccessToken (the agent does so only when the job shares it). */
  shareAccessToken?: boolean;
  proxy?: AgentProxy;
  certificates?: AgentCertificates;
  /** Trust the test CA through NODE_EXTRA_CA_CERTS (default); off to prove a task reads Agent.CAInfo. */
  trustTestCa?: boolean;
  /** Stops the task (SIGTERM, as the agent does on cancel) when aborted, e.g. on the demo's Ctrl-C. */
  signal?: AbortSignal;
}

export interface AgentRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From spawn to the process's exit: the task's own time, without this model's reading of its output. */
  processMs?: number;
  stdout: string;
  stderr: string;
  commands: ProcessedCommand[];
  /** The task.complete result, as the agent parsed it (undefined when it refused the value). */
  result?: string;
  resultMessage?: string;
  /** What the agent records for the step: the task's result, failed by a refused command or a non-zero exit. */
  stepResult: string;
  /** Errors the agent adds itself ("Exit code 1 returned from process", "Unable to process command"). */
  agentErrors: string[];
  /** Secret variables that a setvariable without issecret made public for later steps. */
  madePublic: string[];
  /** The step log as the agent publishes it: commands executed, secrets masked. */
  log: string[];
  /** Log lines the viewer renders as ##[…] formatting. */
  formatted: string[];
  outputs: Record<string, string>;
  secrets: string[];
  attachments: { type: string; name: string; path: string }[];
  summaries: string[];
  /** ##vso[build.addbuildtag] messages. */
  buildTags?: string[];
  /** Summary sections with the title the web UI shows (the attachment name). */
  summarySections: { title: string; path: string }[];
  /** Inputs after the agent's filePath translation. */
  inputs: Record<string, string>;
  tempDir: string;
  sourcesDir: string;
}

const SUMMARY_TYPE = 'distributedtask.core.summary';

/**
 * Runs a task the way the agent does (a model read from microsoft/azure-pipelines-agent): the
 * Node handler starts `node <target>` in System.DefaultWorkingDirectory with INPUT_*, ENDPOINT_*
 * (src/Agent.Worker/Handlers/Handler.cs AddEndpointsToEnvironment, SYSTEMVSSCONNECTION included),
 * variables and the proxy/certificate variables in its environment; filePath inputs are rooted
 * (file-path.ts); every output line goes through the command processor and the secret masker
 * (command-processor.ts, secret-masker.ts); a non-zero exit code is an error of its own
 * (NodeHandler.cs runs with requireExitCodeZero; strings.json ProcessExitCode).
 */
export async function runTaskLikeAgent(opts: AgentRunOptions): Promise<AgentRunResult> {
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.taskDir, 'task.json'), 'utf8'));
  // The server refuses a task.json that breaks tasks.schema.json; so does the model.
  const problems = taskJsonProblems(manifest);
  if (problems.length) throw new Error(`${opts.taskDir}/task.json breaks tasks.schema.json:\n${problems.join('\n')}`);
  const target = manifest.execution.Node20_1.target as string;
  const tempDir = processTempDir('agent-run-');
  const hostType = opts.hostType ?? 'build';
  const sourcesDir = path.join(tempDir, hostType === 'build' ? 's' : 'a');
  fs.mkdirSync(sourcesDir, { recursive: true });
  const accessToken = opts.systemAccessToken ?? `job-token-${crypto.randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tempDir,
    AGENT_TEMPDIRECTORY: tempDir,
    AGENT_WORKFOLDER: tempDir,
    AGENT_VERSION: '4.255.0',
    SYSTEM_DEFAULTWORKINGDIRECTORY: sourcesDir,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'shop',
    SYSTEM_TEAMPROJECTID: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
    SYSTEM_HOSTTYPE: hostType,
    SYSTEM_PLANID: '4f9c7d1e-58c0-4f3b-9a7e-1c2d3e4f5a6b',
    SYSTEM_JOBID: '1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b',
    SYSTEM_COLLECTIONID: '8f1e1d7c-0b6e-4b8b-9f3a-2c1d0e9f8a7b',
    BUILD_BUILDID: '4711',
    BUILD_BUILDNUMBER: '20261123.1',
    BUILD_DEFINITIONNAME: 'shop-cd',
    SYSTEM_STAGENAME: 'staging',
    SYSTEM_JOBDISPLAYNAME: 'deploy',
    TASK_DISPLAYNAME: manifest.friendlyName,
    ENDPOINT_URL_SYSTEMVSSCONNECTION: 'https://dev.azure.com/contoso/',
    ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: accessToken }, scheme: 'OAuth' }),
    ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
    ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: accessToken,
  };
  if (hostType === 'build')
    Object.assign(env, { BUILD_SOURCESDIRECTORY: sourcesDir, BUILD_REPOSITORY_LOCALPATH: sourcesDir });
  else Object.assign(env, { RELEASE_ARTIFACTSDIRECTORY: sourcesDir, SYSTEM_ARTIFACTSDIRECTORY: sourcesDir });
  // The test CA, so tasks trust the HTTPS emulators exactly as mocha's process does.
  if (process.env.NODE_EXTRA_CA_CERTS && opts.trustTestCa !== false)
    env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;

  const masker = new SecretMasker();
  const secretNames = new Set<string>();
  const secretVars: Record<string, string> = { ...(opts.secretVariables ?? {}) };
  if (opts.shareAccessToken) secretVars['System.AccessToken'] = accessToken;
  const variables: Record<string, string> = { ...(opts.variables ?? {}) };
  if (opts.proxy) {
    variables['Agent.ProxyUrl'] = opts.proxy.url;
    if (opts.proxy.username) variables['Agent.ProxyUsername'] = opts.proxy.username;
    if (opts.proxy.password) secretVars['Agent.ProxyPassword'] = opts.proxy.password;
    variables['Agent.ProxyBypassList'] = JSON.stringify(opts.proxy.bypass ?? []);
  }
  const certs = opts.certificates;
  if (certs?.caFile) variables['Agent.CAInfo'] = certs.caFile;
  if (certs?.clientCert) variables['Agent.ClientCert'] = certs.clientCert;
  if (certs?.clientCertKey) variables['Agent.ClientCertKey'] = certs.clientCertKey;
  if (certs?.clientCertArchive) variables['Agent.ClientCertArchive'] = certs.clientCertArchive;
  if (certs?.clientCertPassword) secretVars['Agent.ClientCertPassword'] = certs.clientCertPassword;
  if (certs?.skipCertValidation) variables['Agent.SkipCertValidation'] = 'true';

  for (const [name, value] of Object.entries(variables)) env[variableKey(name)] = value;
  for (const [name, value] of Object.entries(secretVars)) {
    env[`SECRET_${variableKey(name)}`] = value;
    secretNames.add(variableKey(name));
    masker.addUserSecret(value);
  }
  const inputs: Record<string, string> = { ...(opts.inputs ?? {}) };
  for (const input of (manifest.inputs ?? []) as { name: string; type: string }[]) {
    if (input.type?.toLowerCase() === 'filepath')
      inputs[input.name] = rootFilePathInput(inputs[input.name] ?? '', sourcesDir);
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${variableKey(name)}`] = value;
  for (const [id, ep] of Object.entries(opts.endpoints ?? {})) {
    if (ep.url !== undefined) env[`ENDPOINT_URL_${id}`] = ep.url;
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters: ep.auth ?? {}, scheme: ep.scheme ?? 'None' });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = ep.scheme ?? 'None';
    for (const [k, v] of Object.entries(ep.auth ?? {})) {
      env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
      if (isMaskedAuthParameter(k)) masker.add(v);
    }
    env[`ENDPOINT_DATA_${id}`] = JSON.stringify(ep.data ?? {});
    for (const [k, v] of Object.entries(ep.data ?? {})) env[`ENDPOINT_DATA_${id}_${variableKey(k)}`] = v;
  }
  masker.add(accessToken);
  Object.assign(env, opts.env ?? {});

  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [path.join(opts.taskDir, target)], {
    cwd: sourcesDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killTimer = opts.kill ? setTimeout(() => child.kill(opts.kill!.signal), opts.kill.afterMs) : undefined;
  const hardStop = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const cancel = (): boolean => child.kill('SIGTERM');
  opts.signal?.addEventListener('abort', cancel, { once: true });
  let processMs = 0;
  child.once('exit', () => (processMs = performance.now() - spawnedAt));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(hardStop);
  opts.signal?.removeEventListener('abort', cancel);
  if (killTimer) clearTimeout(killTimer);

  // The agent reads stdout and stderr line by line through the same command processor.
  const step = newStepState();
  for (const line of `${stdout}\n${stderr}`.split(/\r?\n/)) processLine(step, line, masker, secretNames);
  if (code !== 0) {
    step.agentErrors.push(
      `Exit code ${code ?? signal} returned from process: file name '${process.execPath}', arguments '"${path.join(opts.taskDir, target)}"'.`,
    );
  }
  const commands = step.commands;
  const complete = [...commands].reverse().find((c) => c.command === 'task.complete');
  const stepResult = step.agentErrors.length || step.commandFailed ? 'Failed' : (step.result ?? 'Succeeded');
  const outputs: Record<string, string> = {};
  for (const c of commands.filter((c) => c.command === 'task.setvariable'))
    outputs[prop(c, 'variable') ?? ''] = c.message;
  const attachments = commands
    .filter((c) => c.command === 'task.addattachment')
    .map((c) => ({ type: prop(c, 'type') ?? '', name: prop(c, 'name') ?? '', path: c.message }));
  const summarySections = [
    ...attachments.filter((a) => a.type.toLowerCase() === SUMMARY_TYPE).map((a) => ({ title: a.name, path: a.path })),
    ...commands
      .filter((c) => c.command === 'task.uploadsummary')
      .map((c) => ({ title: path.basename(c.message), path: c.message })),
  ];
  return {
    code,
    signal,
    processMs,
    stdout,
    stderr,
    commands,
    result: step.result,
    resultMessage: complete?.message,
    stepResult,
    agentErrors: step.agentErrors,
    madePublic: step.madePublic,
    log: step.log,
    formatted: step.formatted,
    outputs,
    secrets: commands.filter((c) => c.command === 'task.setsecret').map((c) => c.message),
    attachments: attachments.filter((a) => a.type.toLowerCase() !== SUMMARY_TYPE),
    summaries: summarySections.map((s) => s.path),
    summarySections,
    inputs,
    buildTags: commands.filter((c) => c.command === 'build.addbuildtag').map((c) => c.message),
    tempDir,
    sourcesDir,
  };
}

/** Everything a task printed or wrote for people and the hub, minus the setsecret lines that must carry secrets. */
export function visibleOutput(run: AgentRunResult): string {
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).filter((l) => !l.includes('##vso[task.setsecret]'));
  const files = [...run.attachments.map((a) => a.path), ...run.summaries]
    .filter((p) => fs.existsSync(p))
    .map((p) => fs.readFileSync(p, 'utf8'));
  return [...lines, ...files].join('\n');
}
