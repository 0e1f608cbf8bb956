/**
 * foo.bar / "foo bar" → FOO_BAR: the key the agent gives a variable in a task's environment
 * (VariableUtil.cs / task-lib's getVariable replace '.' and ' ' with '_' and upper-case the name).
 */
export function variableKey(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}
