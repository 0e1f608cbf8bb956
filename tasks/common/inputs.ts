import * as path from 'node:path';
import { InputError, InputProblem } from './errors';
import { TaskManifest, findInput, isVisible } from './manifest';
import { SecretRegistry } from './secrets';

/** Where raw input strings come from: the agent's vault in a task, a plain map in unit tests. */
export interface InputSource {
  get(name: string): string | undefined;
}

export interface StringRule {
  /** A regular expression or a predicate the trimmed value must satisfy. */
  pattern?: RegExp | ((value: string) => boolean);
  /** Says what a valid value looks like, e.g. "an OCID such as ocid1.vault.oc1..aaaa". */
  expected?: string;
  maxLength?: number;
}

/**
 * Reads inputs into typed values, applying task.json defaults, required flags (only when the
 * input is visible), pickList options and ranges. Problems are collected, not thrown one by
 * one, and `check()` raises them together before the task changes anything.
 */
export class InputReader {
  private readonly problems: InputProblem[] = [];

  constructor(
    private readonly source: InputSource,
    readonly manifest: TaskManifest,
    readonly secrets: SecretRegistry,
  ) {}

  /** Value as given, else the task.json default; blank counts as absent. */
  raw(name: string): string | undefined {
    const input = findInput(this.manifest, name);
    const given = this.source.get(name);
    if (given !== undefined && given.trim() !== '') return given;
    return input.defaultValue !== undefined && input.defaultValue !== '' ? input.defaultValue : undefined;
  }

  private isRequired(name: string): boolean {
    const input = findInput(this.manifest, name);
    return !!input.required && isVisible(input.visibleRule, (n) => this.raw(n));
  }

  problem(input: string, problem: string, fix: string): void {
    this.problems.push({ input, problem, fix });
  }

  get problemCount(): number {
    return this.problems.length;
  }

  check(): void {
    if (this.problems.length) throw new InputError([...this.problems]);
  }

  private present(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined && this.isRequired(name)) {
      const label = findInput(this.manifest, name).label;
      this.problem(name, 'is required.', `Set '${name}' (${label}) in the task's inputs.`);
    }
    return value;
  }

  optionalString(name: string, rule: StringRule = {}): string | undefined {
    const value = this.present(name)?.trim();
    if (value === undefined) return undefined;
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      this.problem(name, `is ${value.length} characters long; at most ${rule.maxLength} are allowed.`, 'Shorten it.');
    } else if (rule.pattern && !(typeof rule.pattern === 'function' ? rule.pattern(value) : rule.pattern.test(value))) {
      this.problem(name, `'${value}' is not valid.`, `Expected ${rule.expected ?? `a value matching ${String(rule.pattern)}`}.`);
    }
    return value;
  }

  string(name: string, rule: StringRule = {}): string {
    return this.optionalString(name, rule) ?? '';
  }

  /** A secret is registered before anything else sees it, and is never echoed in a problem. */
  secret(name: string): string | undefined {
    const value = this.present(name);
    this.secrets.register(value);
    return value;
  }

  boolean(name: string): boolean {
    const value = this.present(name)?.trim().toLowerCase();
    if (value === undefined) return false;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problem(name, `'${value}' is not a boolean.`, 'Use true or false.');
    return false;
  }

  optionalNumber(name: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const value = this.present(name)?.trim();
    if (value === undefined) return undefined;
    const n = Number(value);
    const kind = range.integer ? 'a whole number' : 'a number';
    if (!/^-?\d+(\.\d+)?$/.test(value) || (range.integer && !Number.isInteger(n))) {
      this.problem(name, `'${value}' is not ${kind}.`, `Use ${kind} from ${range.min} to ${range.max}.`);
      return undefined;
    }
    if (n < range.min || n > range.max) {
      this.problem(name, `${value} is out of range.`, `Use ${kind} from ${range.min} to ${range.max}.`);
      return undefined;
    }
    return n;
  }

  number(name: string, range: { min: number; max: number; integer?: boolean }): number {
    return this.optionalNumber(name, range) ?? range.min;
  }

  /** A pickList value, checked against task.json's options so the two never drift apart. */
  pick<T extends string>(name: string): T {
    const input = findInput(this.manifest, name);
    const allowed = Object.keys(input.options ?? {});
    const value = this.present(name)?.trim();
    if (value === undefined) return (allowed[0] ?? '') as T;
    const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    if (!match) {
      this.problem(name, `'${value}' is not one of the allowed values.`, `Use one of: ${allowed.join(', ')}.`);
      return (allowed[0] ?? '') as T;
    }
    return match as T;
  }

  /** Comma- or newline-separated values, trimmed, blanks dropped. */
  list(name: string): string[] {
    const value = this.present(name);
    if (value === undefined) return [];
    return value.split(/[,\r\n]+/).map((s) => s.trim()).filter((s) => s.length > 0);
  }

  /** A service connection input: its value is the endpoint id. */
  connection(name: string): string | undefined {
    return this.present(name)?.trim();
  }

  url(name: string, opts: { schemes?: string[] } = {}): URL | undefined {
    const value = this.present(name)?.trim();
    if (value === undefined) return undefined;
    const schemes = opts.schemes ?? ['https', 'http'];
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.problem(name, `'${value}' is not an absolute URL.`, `Use a URL such as ${schemes[0]}://service.example.com.`);
      return undefined;
    }
    if (url.username || url.password) {
      this.secrets.register(decodeURIComponent(url.password));
      // Echoing the value would echo the credential: name the problem only.
      this.problem(name, 'contains credentials (user:password@).', 'Remove them and use a service connection or a secret header instead.');
      return undefined;
    }
    if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
      this.problem(name, `uses ${url.protocol.replace(/:$/, '')}.`, `Use ${schemes.join(' or ')}.`);
      return undefined;
    }
    return url;
  }
}

/**
 * Whether a filePath input names a file. The agent never passes such an input empty: an unset one
 * arrives as the repository path (pipelines) or the artifacts directory (classic release)
 * (azure-pipelines-agent src/Agent.Worker/TaskRunner.cs TranslateFilePathInput). task-lib's
 * filePathSupplied (node/task.ts) compares the value with Build.SourcesDirectory, else
 * System.DefaultWorkingDirectory; Release.ArtifactsDirectory is compared too, for classic releases.
 */
export function filePathSupplied(value: string | undefined, variable: (name: string) => string | undefined): boolean {
  if (!value || !value.trim()) return false;
  const resolved = path.resolve(value.trim());
  const roots = ['Build.SourcesDirectory', 'System.DefaultWorkingDirectory', 'Release.ArtifactsDirectory']
    .map((n) => variable(n))
    .filter((v): v is string => !!v);
  return !roots.some((root) => path.resolve(root) === resolved);
}
