import { SecretMasker } from './secret-masker';

/**
 * What the agent does with each line a task writes to stdout or stderr. Models
 * src/Microsoft.VisualStudio.Services.Agent/Command.cs (TryParse: the first "##vso[" anywhere in the
 * line, found with a culture-sensitive IndexOf — the agent builds with InvariantGlobalization=false
 * (src/Common.props), so under ICU characters such as U+200B or U+00AD between the letters are
 * ignored; area.event must split into exactly two parts), src/Agent.Worker/WorkerCommandManager.cs
 * (a failing command logs "Unable to process command '…' successfully." and fails the step) and
 * src/Agent.Worker/TaskCommandExtension.cs (task.complete parses its result with
 * Enum.TryParse<TaskResult>, case-sensitive; setvariable/setsecret feed the secret masker).
 */
export interface ProcessedCommand {
  area: string;
  event: string;
  /** area.event, lower case. */
  command: string;
  properties: Record<string, string>;
  message: string;
  /** The raw line, to tell where in it the agent found the command. */
  line: string;
  column: number;
}

/** TaskResult (Microsoft.TeamFoundation.DistributedTask.WebApi) member names and values. */
export const TASK_RESULTS = ['Succeeded', 'SucceededWithIssues', 'Failed', 'Canceled', 'Skipped', 'Abandoned'] as const;

/** Unicode default-ignorable code points (DerivedCoreProperties), which ICU collation skips. */
const IGNORABLE =
  // eslint-disable-next-line no-misleading-character-class -- listed one by one on purpose: the agent's comparison ignores each
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFF8]/u;

/** Index in `line` where a culture-sensitive IndexOf would find `needle`, or -1. */
export function cultureIndexOf(line: string, needle: string, from = 0): number {
  const kept: number[] = [];
  let folded = '';
  for (let i = from; i < line.length; i++) {
    if (IGNORABLE.test(line[i])) continue;
    kept.push(i);
    folded += line[i];
  }
  const at = folded.indexOf(needle);
  return at < 0 ? -1 : kept[at];
}

function unescape(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');
}

export function tryParseCommand(line: string): ProcessedCommand | undefined {
  const prefix = cultureIndexOf(line, '##vso[');
  if (prefix < 0) return undefined;
  // The prefix may contain ignorable characters: skip to the '[' that ends it.
  const open = line.indexOf('[', prefix);
  const close = line.indexOf(']', open);
  if (close < 0) return undefined;
  const info = line.slice(open + 1, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  const parts = name.split('.').filter((p) => p !== '');
  if (parts.length !== 2) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter((p) => p !== '')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1) properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
    }
  }
  const [area, event] = parts;
  return {
    area,
    event,
    command: `${area}.${event}`.toLowerCase(),
    properties,
    message: unescape(line.slice(close + 1)),
    line,
    column: prefix,
  };
}

/** Properties are looked up ignoring case (Command.cs: a StringComparer.OrdinalIgnoreCase dictionary). */
export function prop(cmd: { properties: Record<string, string> }, key: string): string | undefined {
  const k = Object.keys(cmd.properties).find((n) => n.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : cmd.properties[k];
}

export interface StepState {
  commands: ProcessedCommand[];
  /** Errors the agent itself logs for the step (failed commands, exit code). */
  agentErrors: string[];
  /** Set when a command failed: WorkerCommandManager sets CommandResult = Failed. */
  commandFailed: boolean;
  /** The merged task.complete result. */
  result?: string;
  /** Secret variables a later setvariable turned public (issecret not upgraded). */
  madePublic: string[];
  /** Lines as the agent publishes them, secrets masked. */
  log: string[];
  /** Lines the log viewer would render as ##[error]/##[warning]/##[section]… formatting. */
  formatted: string[];
}

export function newStepState(): StepState {
  return { commands: [], agentErrors: [], commandFailed: false, madePublic: [], log: [], formatted: [] };
}

const variableKey = (name: string): string => name.replace(/[. ]/g, '_').toUpperCase();

/** One line through the agent: a command is executed, anything else is masked and logged. */
export function processLine(state: StepState, line: string, masker: SecretMasker, secretNames: Set<string>): void {
  const cmd = tryParseCommand(line);
  if (!cmd) {
    const masked = masker.mask(line);
    state.log.push(masked);
    if (cultureIndexOf(line, '##[') >= 0) state.formatted.push(masked);
    return;
  }
  state.commands.push(cmd);
  const fail = (why: string): void => {
    state.agentErrors.push(`Unable to process command '${masker.mask(line)}' successfully. ${why}`);
    state.commandFailed = true;
  };
  switch (cmd.command) {
    case 'task.complete': {
      const r = prop(cmd, 'result');
      const ok = !!r && ((TASK_RESULTS as readonly string[]).includes(r) || /^\d+$/.test(r));
      if (!ok) return fail("Command doesn't have valid result value.");
      state.result = /^\d+$/.test(r) ? (TASK_RESULTS[Number(r)] ?? r) : r;
      return;
    }
    case 'task.setsecret':
      masker.add(cmd.message);
      return;
    case 'task.setvariable': {
      const name = prop(cmd, 'variable');
      if (!name) return fail('Variable name is missing.');
      const secret = (prop(cmd, 'issecret') ?? '').toLowerCase() === 'true';
      const key = variableKey(name);
      if (secret) {
        masker.add(cmd.message);
        secretNames.add(key);
      } else if (secretNames.has(key)) {
        state.madePublic.push(name);
      }
      return;
    }
    default:
      state.log.push(masker.mask(`##[${cmd.command}] ${cmd.message}`));
  }
}
