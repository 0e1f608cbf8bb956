/**
 * Small value parsers shared by the check parser: regular expressions and pipeline variable
 * references. Each returns a message (without the check/field prefix) instead of throwing.
 */

/** "^ok$" or "/^ok$/i": the slash form allows flags, which JavaScript has no inline syntax for. */
export function parseRegex(value: unknown): RegExp | string {
  if (typeof value !== 'string') return `${JSON.stringify(value)} is not a regular expression (a string)`;
  const slashed = /^\/(.*)\/([dgimsuy]*)$/s.exec(value);
  try {
    // Flags g and y make test() stateful across calls: drop them.
    return slashed ? new RegExp(slashed[1], slashed[2].replace(/[gy]/g, '')) : new RegExp(value);
  } catch (err) {
    return `'${value}' is not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

export interface VariableValue {
  value: string;
  secret: boolean;
}

/** Resolves a pipeline variable by name; undefined when it does not exist. */
export type VariableLookup = (name: string) => VariableValue | undefined;

/** $(name), or the escape $$(name), which stands for the literal text $(name). */
const REFERENCE = /\$?\$\(([A-Za-z_][\w.\- ]*)\)/g;

/**
 * Replaces $(name) references the agent left in place (a checks file is not macro-expanded,
 * and neither is a variable defined after the task started). Secret values are collected so the
 * caller registers them before any request carries them.
 *
 * $$(name) is the escape for a literal $(name), as in Kubernetes container args ("$$(VAR)" →
 * "$(VAR)"). The agent has none: its macro expansion (azure-pipelines-agent
 * src/Microsoft.VisualStudio.Services.Agent/Util/VarUtil.cs ExpandValues) replaces every $(key)
 * whose variable exists and leaves the others as they are. So $$(name) reaches the task intact
 * when no pipeline variable is called `name`; when one is, the agent turns it into $<value> in an
 * inline input, and only a checksFile (which the agent does not expand) can carry the literal.
 * Without a lookup (inline text) only the escape is resolved.
 */
export function expandVariables(
  text: string,
  lookup: VariableLookup | undefined,
  secrets: Set<string>,
): string | { missing: string } {
  if (!text.includes('$(')) return text;
  let missing: string | undefined;
  const out = text.replace(REFERENCE, (whole, name: string) => {
    if (whole.startsWith('$$')) return whole.slice(1);
    if (!lookup) return whole;
    const found = lookup(name.trim());
    if (!found) {
      missing ??= name.trim();
      return whole;
    }
    if (found.secret) secrets.add(found.value);
    return found.value;
  });
  return missing === undefined ? out : { missing };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return `${typeof value} ${JSON.stringify(value)}`;
}
