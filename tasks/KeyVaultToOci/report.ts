import { Tally } from './planner';
import { PlanItem, SyncResult } from './sync-model';

/** Human-readable plan and outcome lines: names, actions, versions and reasons, never values. */

const ACTION_LABEL: Record<PlanItem['action'], string> = {
  create: 'create',
  update: 'new version',
  metadata: 'metadata',
  unchanged: 'unchanged',
  restore: 'restore',
  skipped: 'skipped',
  blocked: 'blocked',
  kept: 'kept',
  disable: 'disable',
  scheduleDeletion: 'delete',
};

const arrow = (i: { source: string; target: string }): string =>
  i.source === i.target ? i.source : `${i.source} → ${i.target}`;

export function renderPlan(items: PlanItem[]): string[] {
  const width = Math.max(...Object.values(ACTION_LABEL).map((l) => l.length));
  return items.map((i) => {
    const version = i.action === 'update' && i.version !== undefined ? ` (now version ${i.version})` : '';
    const meta = i.metaChanges?.length ? ` [${i.metaChanges.join(', ')}]` : '';
    return `  ${ACTION_LABEL[i.action].padEnd(width)}  ${arrow(i)}${version}${meta}${i.reason ? `: ${i.reason}` : ''}`;
  });
}

export function describeTally(t: Tally): string {
  const parts = [`${t.created} created`, `${t.updated} updated`, `${t.unchanged} unchanged`];
  if (t.skipped) parts.push(`${t.skipped} skipped`);
  if (t.disabled) parts.push(`${t.disabled} disabled`);
  if (t.deletionScheduled) parts.push(`${t.deletionScheduled} scheduled for deletion`);
  if (t.kept) parts.push(`${t.kept} kept without source`);
  if (t.failed) parts.push(`${t.failed} failed`);
  return parts.join(', ');
}

export function describePlanTally(items: PlanItem[]): string {
  const n = (a: PlanItem['action']): number => items.filter((i) => i.action === a).length;
  const parts = [`${n('create')} to create`, `${n('update') + n('metadata')} to update`, `${n('unchanged')} unchanged`];
  if (n('disable')) parts.push(`${n('disable')} to disable`);
  if (n('scheduleDeletion')) parts.push(`${n('scheduleDeletion')} to delete`);
  if (n('kept')) parts.push(`${n('kept')} kept without source`);
  if (n('restore')) parts.push(`${n('restore')} to restore`);
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  if (n('blocked')) parts.push(`${n('blocked')} blocked`);
  return parts.join(', ');
}

/** Which secrets synced and which did not, for the failure message of a partial run. */
export function describePartialFailure(results: SyncResult[]): string {
  const ok = results.filter((r) =>
    ['created', 'updated', 'unchanged', 'disabled', 'deletionScheduled', 'kept'].includes(r.outcome),
  );
  const failed = results.filter((r) => r.outcome === 'failed');
  const done = ok.map((r) => `${arrow(r)} (${r.outcome}${r.version !== undefined ? `, version ${r.version}` : ''})`);
  const lines = [
    `${failed.length} of ${ok.length + failed.length} secrets did not sync:`,
    ...failed.map((r) => `- ${arrow(r)}: ${r.message ?? 'failed'}`),
    `Synced: ${done.length ? done.join(', ') : 'none'}.`,
    'A re-run syncs the rest; what already synced stays unchanged.',
  ];
  return lines.join('\n');
}
