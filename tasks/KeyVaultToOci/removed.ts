import { SelectionRule, targetName } from './selection';
import { OwnedSecret, PlanItem, SourceSecret } from './sync-model';

export type OnSourceRemoved = 'keep' | 'disable' | 'scheduleDeletion';

/** States in which an OCI secret is already on its way out: nothing left to revoke. */
const LEAVING = new Set(['PENDING_DELETION', 'SCHEDULING_DELETION', 'DELETING', 'DELETED']);

/**
 * Revocation that propagates: OCI secrets this task created (by their tags) whose Key Vault source has been
 * deleted or disabled. Only secrets still inside the `secrets` selection, and still under the name the
 * selection maps them to, are considered: narrowing the selection or renaming a mapping never revokes.
 * Pure; the caller lists the owned secrets and the source.
 */
export function planRemoved(
  owned: OwnedSecret[],
  rules: SelectionRule[],
  listed: SourceSecret[],
  policy: OnSourceRemoved,
): PlanItem[] {
  const byName = new Map(listed.map((s) => [s.name.toLowerCase(), s]));
  const out: PlanItem[] = [];
  for (const o of [...owned].sort((a, b) => a.source.localeCompare(b.source))) {
    if (targetName(rules, o.source)?.toLowerCase() !== o.name.toLowerCase()) continue;
    const source = byName.get(o.source.toLowerCase());
    if (source?.enabled) continue;
    const why = source ? 'disabled in Key Vault' : 'deleted from Key Vault';
    const base = { source: o.source, target: o.name, secretId: o.id };
    if (LEAVING.has(o.lifecycleState)) {
      out.push({ ...base, action: 'unchanged', reason: `${why}; the OCI secret is already ${o.lifecycleState}` });
    } else if (policy === 'keep') {
      out.push({ ...base, action: 'kept', reason: `${why}; the OCI secret stays active (onSourceRemoved: keep)` });
    } else if (policy === 'disable' && o.disabled) {
      out.push({ ...base, action: 'unchanged', reason: `${why}; the OCI secret is already disabled` });
    } else if (o.lifecycleState !== 'ACTIVE') {
      out.push({
        ...base,
        action: 'blocked',
        reason: `${why}, but the OCI secret is ${o.lifecycleState}; a re-run revokes it once it is ACTIVE`,
      });
    } else {
      out.push({ ...base, action: policy, reason: why });
    }
  }
  return out;
}

/** Names a removal plan covers: the selection no longer reports them as missing or skipped. */
export function coveredSources(items: PlanItem[]): Set<string> {
  return new Set(items.map((i) => i.source.toLowerCase()));
}
