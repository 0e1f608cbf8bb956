/**
 * What happens to each target tag, decided before anything is copied: a tag that already
 * points at another digest stops the promotion unless overwriting is allowed.
 */
export interface TagPlan {
  /** Tags to set once every blob and manifest is in place. */
  move: string[];
  /** Tags that already point at the promoted digest. */
  unchanged: string[];
  /** Tags that will move away from another digest (allowTagOverwrite). */
  overwrite: { tag: string; from: string }[];
  /** Tags that would move away from another digest, which is refused. */
  conflicts: { tag: string; current: string }[];
}

export function planTags(
  tags: string[],
  current: Record<string, string | undefined>,
  digest: string,
  allowOverwrite: boolean,
): TagPlan {
  const plan: TagPlan = { move: [], unchanged: [], overwrite: [], conflicts: [] };
  for (const tag of [...new Set(tags)]) {
    const now = current[tag];
    if (now === digest) plan.unchanged.push(tag);
    else if (now === undefined) plan.move.push(tag);
    else if (allowOverwrite) {
      plan.move.push(tag);
      plan.overwrite.push({ tag, from: now });
    } else plan.conflicts.push({ tag, current: now });
  }
  return plan;
}

export function describeConflicts(target: string, digest: string, conflicts: TagPlan['conflicts']): string {
  const list = conflicts.map((c) => `'${c.tag}' points to ${c.current}`).join('; ');
  return `Target tag${conflicts.length > 1 ? 's' : ''} of ${target} already exist${conflicts.length > 1 ? '' : 's'} with another digest (${list}), not the promoted ${digest}. Nothing was copied.`;
}
