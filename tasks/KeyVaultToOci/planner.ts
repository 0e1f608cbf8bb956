import { SelectionRule, targetName } from './selection';
import { DesiredMeta, metaDiff } from './metadata';
import { Outcome, PlanItem, SinkState, SourceSecret, SyncResult } from './sync-model';

/** Pure decisions: which secrets sync, and what each one needs. No I/O, no values. */

export interface Selected {
  source: string;
  target: string;
}

export interface SelectionOutcome {
  selected: Selected[];
  /** Selected by a rule but not usable now: disabled, expired, not yet valid. */
  skipped: PlanItem[];
  /** Names (not globs) that match no secret in the source. */
  missing: string[];
  /** OCI names two source secrets would write to. */
  collisions: string[];
}

const isGlob = (pattern: string): boolean => /[*?]/.test(pattern);

export function selectSecrets(rules: SelectionRule[], listed: SourceSecret[], now: Date): SelectionOutcome {
  const selected: Selected[] = [];
  const skipped: PlanItem[] = [];
  const sorted = [...listed].sort((a, b) => a.name.localeCompare(b.name));
  for (const s of sorted) {
    const target = targetName(rules, s.name);
    if (!target) continue;
    const skip = (reason: string): void => void skipped.push({ source: s.name, target, action: 'skipped', reason });
    if (!s.enabled) skip('disabled in the source');
    else if (s.notBefore && s.notBefore.getTime() > now.getTime())
      skip(`not valid before ${s.notBefore.toISOString()}`);
    else if (s.expiresOn && s.expiresOn.getTime() <= now.getTime()) skip(`expired on ${s.expiresOn.toISOString()}`);
    else selected.push({ source: s.name, target });
  }
  const names = new Set(listed.map((s) => s.name.toLowerCase()));
  const missing = rules.filter((r) => !isGlob(r.pattern) && !names.has(r.pattern.toLowerCase())).map((r) => r.pattern);
  const seen = new Map<string, string>();
  const collisions: string[] = [];
  for (const s of selected) {
    // OCI names are compared case-insensitively: two secrets differing only in case are a mistake.
    const key = s.target.toLowerCase();
    if (seen.has(key))
      collisions.push(`'${seen.get(key)}' and '${s.source}' both sync to the OCI secret '${s.target}'`);
    else seen.set(key, s.source);
  }
  return { selected, skipped, missing, collisions };
}

/**
 * What one selected secret needs, given the base64 of its source value and the sink's state. Metadata (tags,
 * content type, expiry) is written on create and kept in step only on secrets this task created: a secret
 * someone else made under the same name gets new versions, never our tags.
 */
export function planItem(
  sel: Selected,
  content: string,
  state: SinkState,
  restorePendingDeletion: boolean,
  want?: DesiredMeta,
): PlanItem {
  const notes = want?.notes.length ? { reason: want.notes.join('; ') } : {};
  switch (state.kind) {
    case 'missing':
      return { ...sel, action: 'create', ...(want ? { meta: want.meta } : {}), ...notes };
    case 'present': {
      const base = { ...sel, secretId: state.id, version: state.version, ...notes };
      const changes = want && state.owner !== undefined ? metaDiff(want.meta, state.meta) : [];
      const meta = changes.length ? { meta: want!.meta, metaChanges: changes } : {};
      if (state.content !== content) return { ...base, action: 'update', ...meta };
      return { ...base, action: changes.length ? 'metadata' : 'unchanged', ...meta };
    }
    case 'pendingDeletion': {
      const when = state.timeOfDeletion ? ` (deletion scheduled for ${state.timeOfDeletion})` : '';
      if (restorePendingDeletion)
        return {
          ...sel,
          action: 'restore',
          secretId: state.id,
          reason: `pending deletion${when}: the deletion will be cancelled`,
        };
      return {
        ...sel,
        action: 'blocked',
        secretId: state.id,
        reason: `the OCI secret '${sel.target}' is pending deletion${when}. Cancel the deletion in OCI, or set restorePendingDeletion: true to cancel it and sync`,
      };
    }
    case 'unavailable':
      return {
        ...sel,
        action: 'blocked',
        secretId: state.id,
        reason: `the OCI secret '${sel.target}' is ${state.state}; retry when it is ACTIVE`,
      };
  }
}

export type Tally = Record<Outcome, number>;

export function tally(results: SyncResult[]): Tally {
  const t: Tally = {
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    planned: 0,
    kept: 0,
    disabled: 0,
    deletionScheduled: 0,
  };
  for (const r of results) t[r.outcome]++;
  return t;
}
