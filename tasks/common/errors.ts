/**
 * Errors a user can act on. The runner prints their message as-is (no stack trace), so every
 * message must say what went wrong and how to fix it.
 */
/**
 * Task bundles load their heavy executor as a second bundle with its own copy of this module,
 * so `instanceof` cannot recognise its errors: a brand in the global symbol registry can.
 */
const BRAND = Symbol.for('multicloud-devsecops.TaskError');

export class TaskError extends Error {
  readonly [BRAND] = true;
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(fix ? `${message} ${fix}` : message);
    this.name = 'TaskError';
  }
}

/** True for TaskError and its subclasses from any bundle: errors the user can act on, shown without a stack. */
export function isTaskError(err: unknown): err is TaskError {
  return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[BRAND] === true;
}

export interface InputProblem {
  input: string;
  problem: string;
  fix: string;
}

/** All input problems found in one pass, so the user fixes them in one edit, not one run each. */
export class InputError extends TaskError {
  constructor(readonly problems: InputProblem[]) {
    super(InputError.describe(problems));
    this.name = 'InputError';
  }

  static describe(problems: InputProblem[]): string {
    const lines = problems.map((p) => `input '${p.input}': ${p.problem} ${p.fix}`.trim());
    return lines.length === 1 ? lines[0] : `${lines.length} inputs are invalid:\n- ${lines.join('\n- ')}`;
  }
}

/** A capability that arrives with a later release; never a fake success. */
export class NotImplementedError extends TaskError {
  constructor(task: string, what: string) {
    super(
      `${task}: ${what} is not implemented in this version of the extension; the inputs were valid and nothing was changed.`,
    );
    this.name = 'NotImplementedError';
  }
}

/** The task's own deadline (its timeout input) ran out. */
export class TimeoutError extends TaskError {
  constructor(what: string, timeoutMs: number, input: string) {
    super(
      `${what} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
      `Raise the '${input}' input or check the service's health.`,
    );
    this.name = 'TimeoutError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
