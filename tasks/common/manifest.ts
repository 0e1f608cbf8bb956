/** The subset of task.json the runtime reads: task.json stays the one source of defaults, required flags and allowed values. */
export interface ManifestInput {
  name: string;
  type: string;
  label: string;
  defaultValue?: string;
  required?: boolean;
  options?: Record<string, string>;
  visibleRule?: string;
  groupName?: string;
  helpMarkDown?: string;
  properties?: Record<string, string>;
}

export interface TaskManifest {
  id: string;
  name: string;
  friendlyName: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs: ManifestInput[];
  outputVariables?: { name: string; description?: string }[];
}

/**
 * Evaluates a task.json visibleRule ("a = b", "a != b", joined by && or ||, no parentheses,
 * as the Azure DevOps UI accepts) against the values read so far.
 */
export function isVisible(rule: string | undefined, valueOf: (name: string) => string | undefined): boolean {
  if (!rule || !rule.trim()) return true;
  const orParts = rule.split('||');
  return orParts.some((part) =>
    part.split('&&').every((clause) => {
      const m = /^\s*([\w.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(clause);
      if (!m) throw new Error(`Unsupported visibleRule clause '${clause}'`);
      const actual = (valueOf(m[1]) ?? '').toLowerCase();
      const expected = m[3].toLowerCase();
      return m[2] === '!=' ? actual !== expected : actual === expected;
    }),
  );
}

export function findInput(manifest: TaskManifest, name: string): ManifestInput {
  const input = manifest.inputs.find((i) => i.name === name);
  // A typo here is a bug in the task, not the user's input: fail loudly during tests.
  if (!input) throw new Error(`${manifest.name}/task.json has no input named '${name}'`);
  return input;
}
