import { variableKey } from './variable-key';

/**
 * What the agent hands a task in its environment, taken in once at start: inputs, endpoint
 * credentials, secret variables and task variables are moved out of process.env (as task-lib's
 * vault does) so nothing the task spawns inherits them, and are then read without ever echoing
 * a value.
 */
const PRIVATE_PREFIXES = ['INPUT_', 'ENDPOINT_AUTH_', 'SECUREFILE_TICKET_', 'SECRET_', 'VSTS_TASKVARIABLE_'];

export class AgentEnvironment {
  private readonly vault = new Map<string, string>();
  private readonly secretKeys = new Set<string>();
  /** The agent's COMMAND_CORRELATION_ID, echoed on issues so it can tell them from log text. */
  readonly correlationId: string;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    for (const name of Object.keys(env)) {
      if (!PRIVATE_PREFIXES.some((p) => name.startsWith(p))) continue;
      if (name.startsWith('SECRET_') && name.length > 7) this.secretKeys.add(variableKey(name.slice(7)));
      const value = env[name];
      if (value) this.vault.set(name, value);
      delete env[name];
    }
    for (const key of parseNames(env.VSTS_SECRET_VARIABLES)) this.secretKeys.add(variableKey(key));
    delete env.VSTS_SECRET_VARIABLES;
    delete env.VSTS_PUBLIC_VARIABLES;
    this.correlationId = env.COMMAND_CORRELATION_ID ?? '';
    delete env.COMMAND_CORRELATION_ID;
  }

  private(name: string): string | undefined {
    return this.vault.get(name);
  }

  input(name: string): string | undefined {
    return this.vault.get(`INPUT_${variableKey(name)}`);
  }

  variable(name: string): string | undefined {
    const key = variableKey(name);
    return this.secretKeys.has(key) ? this.vault.get(`SECRET_${key}`) : this.env[key];
  }

  setVariable(name: string, value: string, secret: boolean): void {
    const key = variableKey(name);
    if (secret || this.secretKeys.has(key)) {
      this.secretKeys.add(key);
      this.vault.set(`SECRET_${key}`, value);
    } else {
      this.env[key] = value;
    }
  }

  /** Whether the job knows this variable key as secret (task-lib's _knownVariableMap). */
  isSecret(key: string): boolean {
    return this.secretKeys.has(key);
  }

  secretVariables(): Map<string, string> {
    const out = new Map<string, string>();
    for (const key of this.secretKeys) {
      const value = this.vault.get(`SECRET_${key}`);
      if (value) out.set(key, value);
    }
    return out;
  }

  public(name: string): string | undefined {
    return this.env[name];
  }
}

function parseNames(json: string | undefined): string[] {
  try {
    const names = JSON.parse(json || '[]') as unknown;
    return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}
