import { Parsed } from '../common/image-ref';

/** Which Key Vault secrets to sync, and under which OCI names. */
export interface SelectionRule {
  /** A Key Vault secret name or a glob (* and ?). */
  pattern: string;
  /** OCI secret name for an explicit mapping; otherwise the Key Vault name is kept. */
  target?: string;
}

const KV_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const KV_GLOB = /^[0-9a-zA-Z*?-]{1,127}$/;
const OCI_NAME = /^[0-9a-zA-Z._-]{1,255}$/;

export function parseSelection(text: string): Parsed<SelectionRule[]> {
  const rules: SelectionRule[] = [];
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (line.includes('=>')) {
      const [from, to, extra] = line.split('=>').map((s) => s.trim());
      if (extra !== undefined) return { ok: false, error: `'${line}' has more than one '=>'` };
      if (!KV_NAME.test(from))
        return {
          ok: false,
          error: `'${from}' in '${line}' is not a Key Vault secret name (a mapping names one secret, no globs)`,
        };
      if (!OCI_NAME.test(to))
        return { ok: false, error: `'${to}' in '${line}' is not an OCI secret name (letters, digits, . _ -)` };
      rules.push({ pattern: from, target: to });
      continue;
    }
    for (const item of line
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!KV_GLOB.test(item))
        return { ok: false, error: `'${item}' is not a Key Vault secret name or glob (letters, digits, -, * and ?)` };
      rules.push({ pattern: item });
    }
  }
  if (!rules.length) return { ok: false, error: 'no secrets are selected' };
  const targets = new Map<string, string>();
  for (const rule of rules.filter((r) => r.target)) {
    const key = rule.target!.toLowerCase();
    if (targets.has(key))
      return {
        ok: false,
        error: `'${targets.get(key)}' and '${rule.pattern}' both map to the OCI secret '${rule.target}'`,
      };
    targets.set(key, rule.pattern);
  }
  return { ok: true, value: rules };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  // Key Vault names are case-insensitive.
  return new RegExp(`^${body}$`, 'i');
}

/** The OCI name a Key Vault secret syncs to, or undefined when no rule selects it. Mappings win over globs. */
export function targetName(rules: SelectionRule[], kvName: string): string | undefined {
  const mapped = rules.find((r) => r.target && r.pattern.toLowerCase() === kvName.toLowerCase());
  if (mapped) return mapped.target;
  return rules.some((r) => !r.target && globToRegExp(r.pattern).test(kvName)) ? kvName : undefined;
}
