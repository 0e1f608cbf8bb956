import type { RecordRun } from './record/schema';

/**
 * Everything the runtime needs from the agent, behind one interface: the real one wraps
 * task-lib (agent-host.ts); tests pass a recording host and read what the task did.
 */
/** The agent's TaskResult names (Microsoft.TeamFoundation.DistributedTask.WebApi.TaskResult): "Canceled", one l. */
export type TaskResultKind = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled';

export interface EndpointAccessor {
  url(id: string): string | undefined;
  scheme(id: string): string | undefined;
  /** Auth parameters are read without logging: task-lib's own getter echoes them in debug. */
  authParam(id: string, key: string): string | undefined;
  data(id: string, key: string): string | undefined;
}

export interface TaskHost {
  input(name: string): string | undefined;
  /** A pipeline variable, read without echoing it (task-lib's getVariable prints values in debug lines). */
  variable(name: string): string | undefined;
  /** Secret pipeline variables by agent key (upper case, '.' and ' ' as '_'), for tasks that expand $(refs) themselves. */
  secretVariables(): Map<string, string>;
  readonly endpoints: EndpointAccessor;
  setSecret(value: string): void;
  /** A step output variable ($(step.name)); the runner sets the task's declared outputs. */
  setOutput(name: string, value: string, isSecret?: boolean): void;
  /** A job variable for later steps ($(name)), as AzureKeyVault@2 sets them. */
  setVariable(name: string, value: string, isSecret: boolean): void;
  addAttachment(type: string, name: string, path: string): void;
  /** A Markdown section on the run's summary page, titled `title` (never a file name). */
  uploadSummary(path: string, title: string): void;
  /** Any other logging command (results.publish…): written as a command, never neutralised. */
  command(name: string, properties: Record<string, string | undefined>, message: string): void;
  /** ##vso[build.addbuildtag]: the hub lists the runs that used these tasks by this tag. */
  addBuildTag(tag: string): void;
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  setResult(result: TaskResultKind, message: string): void;
  exit(code: number): void;
}

/**
 * The run a record belongs to, from the agent's predefined variables: the record schema's own shape, so what the
 * runner reads is exactly what a record carries.
 */
export type RunInfo = RecordRun;

const RUN_VARIABLES: Record<keyof RunInfo, string> = {
  collectionUri: 'System.CollectionUri',
  project: 'System.TeamProject',
  pipeline: 'Build.DefinitionName',
  definitionId: 'System.DefinitionId',
  buildId: 'Build.BuildId',
  buildNumber: 'Build.BuildNumber',
  stage: 'System.StageName',
  stageAttempt: 'System.StageAttempt',
  job: 'System.JobDisplayName',
  environment: 'Environment.Name',
  requestedFor: 'Build.RequestedFor',
  sourceBranch: 'Build.SourceBranch',
  sourceVersion: 'Build.SourceVersion',
};

export function readRunInfo(variable: (name: string) => string | undefined): RunInfo {
  const info: RunInfo = {};
  for (const [key, name] of Object.entries(RUN_VARIABLES) as [keyof RunInfo, string][]) {
    const value = variable(name);
    if (value) info[key] = value;
  }
  return info;
}
