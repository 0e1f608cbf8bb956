import * as path from 'node:path';
import { InputError, InputProblem } from './errors';
import { ManifestInput, TaskManifest, findInput, isVisible } from './manifest';
import { SecretRegistry } from './secrets';
import { clipQuoted, embeddedCredentials, quote } from './echo';

/**
 * The largest input accepted. The agent passes inputs as environment variables (Linux caps one at
 * 128 KiB, MAX_ARG_STRLEN), so a bigger value is a paste gone wrong; no input of ours needs more than
 * a few KiB (long checks belong in checksFile).
 */
export const MAX_INPUT_CHARS = 64 * 1024;

/** C0 controls other than TAB, CR, LF, and DEL: never part of a value a user meant to type. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

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
  /** Inputs already screened (credentials registered, size and characters checked), and those refused. */
  private readonly screened = new Set<string>();
  private readonly refused = new Set<string>();

  constructor(
    private readonly source: InputSource,
    readonly manifest: TaskManifest,
    readonly secrets: SecretRegistry,
  ) {}

  /** Value as given, else the task.json default; blank counts as absent. */
  raw(name: string): string | undefined {
    const input = findInput(this.manifest, name);
    const given = this.source.get(name);
    if (given !== undefined && given.trim() !== '') {
      this.screen(input, given);
      return this.refused.has(name) ? undefined : given;
    }
    return input.defaultValue !== undefined && input.defaultValue !== '' ? input.defaultValue : undefined;
  }

  /**
   * Runs once per input, before any message can quote it: credentials typed inside the value
   * (https://user:pass@…, user:pass@host/…) are registered as secrets; an oversized value, a line
   * break in a single-line input and control characters are refused here, naming the input without
   * echoing the value, so none of them reaches a parser, a URL or a header.
   */
  private screen(input: ManifestInput, value: string): void {
    if (this.screened.has(input.name)) return;
    this.screened.add(input.name);
    for (const credential of embeddedCredentials(value.slice(0, MAX_INPUT_CHARS)))
      this.secrets.registerGuess(credential);
    const refuse = (problem: string, fix: string): void => {
      this.refused.add(input.name);
      this.problem(input.name, problem, fix);
    };
    const kib = (n: number): string => `${Math.ceil(n / 1024)} KiB`;
    if (value.length > MAX_INPUT_CHARS) {
      refuse(
        `is ${kib(value.length)} long; at most ${kib(MAX_INPUT_CHARS)} are accepted.`,
        'Check what was pasted into it; long checks belong in a file (checksFile).',
      );
    } else if (input.type !== 'multiLine' && /[\r\n]/.test(value.trim())) {
      refuse(
        'contains a line break (CR or LF), but it takes a single line.',
        'Remove the line break; in YAML, a | or > block adds them.',
      );
    } else if (CONTROL.test(value)) {
      const c = CONTROL.exec(value)![0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      refuse(
        `contains the control character U+${c}.`,
        'Remove it; it usually comes from a copy of terminal output or a binary file.',
      );
    }
  }

  private isRequired(name: string): boolean {
    const input = findInput(this.manifest, name);
    return !!input.required && isVisible(input.visibleRule, (n) => this.raw(n));
  }

  problem(input: string, problem: string, fix: string): void {
    // A refused input was read as absent: what readers then say about it ("is required") is noise.
    if (this.refused.has(input) && this.problems.some((p) => p.input === input)) return;
    // No message carries a whole oversized value, whoever built it (see echo.ts).
    this.problems.push({ input, problem: clipQuoted(problem), fix: clipQuoted(fix) });
  }

  get problemCount(): number {
    return this.problems.length;
  }

  check(): void {
    if (this.problems.length) throw new InputError([...this.problems]);
  }

  private present(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined && !this.refused.has(name) && this.isRequired(name)) {
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
      this.problem(
        name,
        `${quote(value)} is not valid.`,
        `Expected ${rule.expected ?? `a value matching ${String(rule.pattern)}`}.`,
      );
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
    this.problem(name, `${quote(value)} is not a boolean.`, 'Use true or false.');
    return false;
  }

  optionalNumber(name: string, range: { min: number; max: number; integer?: boolean }): number | undefined {
    const value = this.present(name)?.trim();
    if (value === undefined) return undefined;
    const n = Number(value);
    const kind = range.integer ? 'a whole number' : 'a number';
    if (!/^-?\d+(\.\d+)?$/.test(value) || (range.integer && !Number.isInteger(n))) {
      this.problem(name, `${quote(value)} is not ${kind}.`, `Use ${kind} from ${range.min} to ${range.max}.`);
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
      this.problem(name, `${quote(value)} is not one of the allowed values.`, `Use one of: ${allowed.join(', ')}.`);
      return (allowed[0] ?? '') as T;
    }
    return match as T;
  }

  /** Comma- or newline-separated values, trimmed, blanks dropped. */
  list(name: string): string[] {
    const value = this.present(name);
    if (value === undefined) return [];
    return value
      .split(/[,\r\n]+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** A service connection input: its value is the endpoint id. */
  connection(name: string): string | undefined {
    return this.present(name)?.trim();
  }

  url(name: string, opts: { schemes?: string[] } = {}): URL | undefined {
    const value = this.present(name)?.trim();
    if (value === undefined) return undefined;
    const schemes = opts.schemes ?? ['https', 'http'];
    const problem = urlSyntaxProblem(value);
    if (problem) {
      this.problem(name, problem, `Use a URL such as ${schemes[0]}://service.example.com.`);
      return undefined;
    }
    const url = new URL(value);
    if (url.username || url.password) {
      this.secrets.registerGuess(decodeURIComponent(url.password));
      // Echoing the value would echo the credential: name the problem only.
      this.problem(
        name,
        'contains credentials (user:password@).',
        'Remove them and use a service connection or a secret header instead.',
      );
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
 * Why `value` is not a usable absolute URL, or undefined. Checked before WHATWG URL parsing, which
 * silently drops tabs and line breaks (so "https://h/a\r\nb" would be sent as https://h/ab) and
 * answers only "Invalid URL" for a port beyond 65535.
 */
export function urlSyntaxProblem(value: string): string | undefined {
  if (/[\t\r\n]/.test(value) || CONTROL.test(value))
    return 'contains a line break or control character, which no URL has.';
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(value)?.[1];
  if (port !== undefined && Number(port) > 65535) return `has port ${port}, beyond the largest port 65535.`;
  if (!URL.canParse(value)) return `${quote(value)} is not an absolute URL.`;
  return undefined;
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
