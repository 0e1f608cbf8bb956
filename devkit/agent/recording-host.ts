import { EndpointAccessor, TaskHost, TaskResultKind } from '../../tasks/common/host';
import { variableKey } from '../../tasks/common/variable-key';
import { Endpoint } from './agent-run';

/** A TaskHost that records what a task asked of the agent, for in-process tests of the runtime. */
export class RecordingHost implements TaskHost {
  readonly secrets: string[] = [];
  readonly outputs: Record<string, string> = {};
  /** Names of outputs and variables set as secrets. */
  readonly secretNames: string[] = [];
  readonly jobVariables: Record<string, string> = {};
  readonly attachments: { type: string; name: string; path: string }[] = [];
  readonly summaries: string[] = [];
  readonly lines: string[] = [];
  result?: { result: TaskResultKind; message: string };
  exitCode?: number;
  readonly endpoints: EndpointAccessor;

  constructor(
    private readonly inputs: Record<string, string> = {},
    private readonly variables: Record<string, string> = {},
    endpoints: Record<string, Endpoint> = {},
    private readonly secretVariableValues: Record<string, string> = {},
  ) {
    const find = (rec: Record<string, string> | undefined, key: string): string | undefined => {
      const k = Object.keys(rec ?? {}).find((n) => n.toLowerCase() === key.toLowerCase());
      return k ? rec![k] : undefined;
    };
    this.endpoints = {
      url: (id) => endpoints[id]?.url,
      scheme: (id) => endpoints[id]?.scheme,
      authParam: (id, key) => find(endpoints[id]?.auth, key),
      data: (id, key) => find(endpoints[id]?.data, key),
    };
  }

  input(name: string): string | undefined {
    return this.inputs[name];
  }
  variable(name: string): string | undefined {
    const key = Object.keys(this.variables).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? this.variables[key] : undefined;
  }
  secretVariables(): Map<string, string> {
    return new Map(Object.entries(this.secretVariableValues).map(([k, v]) => [variableKey(k), v]));
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  setOutput(name: string, value: string, isSecret = false): void {
    this.outputs[name] = value;
    if (isSecret) this.secretNames.push(name);
  }
  setVariable(name: string, value: string, isSecret: boolean): void {
    this.jobVariables[name] = value;
    if (isSecret) this.secretNames.push(name);
  }
  addAttachment(type: string, name: string, path: string): void {
    this.attachments.push({ type, name, path });
  }
  uploadSummary(path: string): void {
    this.summaries.push(path);
  }
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(`warning: ${message}`);
  }
  debug(message: string): void {
    this.lines.push(`debug: ${message}`);
  }
  setResult(result: TaskResultKind, message: string): void {
    this.result = { result, message };
  }
  exit(code: number): void {
    this.exitCode = code;
  }
}
