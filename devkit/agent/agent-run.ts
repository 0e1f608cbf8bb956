import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { variableKey } from '../../tasks/common/variable-key';
import { VsoCommand, parseVsoCommands } from './vso';

/** A service connection as the agent hands it to a task. */
export interface Endpoint {
  url?: string;
  scheme?: string;
  auth?: Record<string, string>;
  data?: Record<string, string>;
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
}

export interface AgentRunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  commands: VsoCommand[];
  result?: string;
  resultMessage?: string;
  outputs: Record<string, string>;
  secrets: string[];
  attachments: { type: string; name: string; path: string }[];
  summaries: string[];
  tempDir: string;
}

/**
 * Runs a task the way the agent's Node handler does: a fresh `node <target>` with INPUT_*,
 * ENDPOINT_* and predefined variables in its environment, then parses its ##vso commands.
 */
export async function runTaskLikeAgent(opts: AgentRunOptions): Promise<AgentRunResult> {
  const manifest = JSON.parse(fs.readFileSync(path.join(opts.taskDir, 'task.json'), 'utf8'));
  const target = manifest.execution.Node20_1.target as string;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-agent-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tempDir,
    AGENT_TEMPDIRECTORY: tempDir,
    AGENT_WORKFOLDER: tempDir,
    AGENT_VERSION: '4.255.0',
    SYSTEM_DEFAULTWORKINGDIRECTORY: tempDir,
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
    SYSTEM_TEAMPROJECT: 'shop',
    SYSTEM_HOSTTYPE: 'build',
    BUILD_BUILDID: '4711',
    BUILD_BUILDNUMBER: '20261123.1',
    BUILD_DEFINITIONNAME: 'shop-cd',
    SYSTEM_STAGENAME: 'staging',
    SYSTEM_JOBDISPLAYNAME: 'deploy',
    TASK_DISPLAYNAME: manifest.friendlyName,
  };
  // The test CA, so tasks trust the HTTPS emulators exactly as mocha's process does.
  if (process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = process.env.NODE_EXTRA_CA_CERTS;
  for (const [name, value] of Object.entries(opts.variables ?? {})) env[variableKey(name)] = value;
  for (const [name, value] of Object.entries(opts.secretVariables ?? {})) env[`SECRET_${variableKey(name)}`] = value;
  for (const [name, value] of Object.entries(opts.inputs ?? {})) env[`INPUT_${variableKey(name)}`] = value;
  for (const [id, ep] of Object.entries(opts.endpoints ?? {})) {
    if (ep.url !== undefined) env[`ENDPOINT_URL_${id}`] = ep.url;
    env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ parameters: ep.auth ?? {}, scheme: ep.scheme ?? 'None' });
    env[`ENDPOINT_AUTH_SCHEME_${id}`] = ep.scheme ?? 'None';
    for (const [k, v] of Object.entries(ep.auth ?? {})) env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
    for (const [k, v] of Object.entries(ep.data ?? {})) env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
  }
  Object.assign(env, opts.env ?? {});

  const child = spawn(process.execPath, [path.join(opts.taskDir, target)], { cwd: tempDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const killTimer = opts.kill ? setTimeout(() => child.kill(opts.kill!.signal), opts.kill.afterMs) : undefined;
  const hardStop = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(hardStop);
  if (killTimer) clearTimeout(killTimer);

  const commands = parseVsoCommands(stdout);
  const complete = [...commands].reverse().find((c) => c.command === 'task.complete');
  const outputs: Record<string, string> = {};
  for (const c of commands.filter((c) => c.command === 'task.setvariable')) outputs[c.properties.variable] = c.message;
  return {
    code,
    signal,
    stdout,
    stderr,
    commands,
    result: complete?.properties.result,
    resultMessage: complete?.message,
    outputs,
    secrets: commands.filter((c) => c.command === 'task.setsecret').map((c) => c.message),
    attachments: commands.filter((c) => c.command === 'task.addattachment').map((c) => ({ type: c.properties.type, name: c.properties.name, path: c.message })),
    summaries: commands.filter((c) => c.command === 'task.uploadsummary').map((c) => c.message),
    tempDir,
  };
}

/** Everything a task printed or wrote for people and the hub, minus the setsecret lines that must carry secrets. */
export function visibleOutput(run: AgentRunResult): string {
  const lines = `${run.stdout}\n${run.stderr}`.split(/\r?\n/).filter((l) => !l.includes('##vso[task.setsecret]'));
  const files = [...run.attachments.map((a) => a.path), ...run.summaries].filter((p) => fs.existsSync(p)).map((p) => fs.readFileSync(p, 'utf8'));
  return [...lines, ...files].join('\n');
}
