/**
 * Build timeline → stage strip. YAML runs record each stage as a `Stage` record; its checks and
 * approvals hang under a `Checkpoint` child (`Checkpoint.Approval`, `Checkpoint.TaskCheck`, …),
 * its jobs under `Phase` → `Job`. Approval decisions (who, when, comment) come from the
 * Approvals API, keyed by the Checkpoint.Approval record id.
 */
import type { AdoApproval, AdoTimelineRecord } from './ado-api';
import { GateKind, GateView, StageView } from './model';

export function durationMs(start?: string | null, finish?: string | null): number | undefined {
  if (!start || !finish) return undefined;
  const ms = Date.parse(finish) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function gateKind(type: string): GateKind {
  if (type === 'Checkpoint.Approval') return 'approval';
  if (type.startsWith('Checkpoint.')) return 'check';
  return 'checkpoint';
}

function opt(v: string | null | undefined): string | undefined {
  return v ?? undefined;
}

export function approvalIds(records: AdoTimelineRecord[]): string[] {
  return records.filter((r) => r.type === 'Checkpoint.Approval').map((r) => r.id);
}

export function timelineToStages(records: AdoTimelineRecord[], approvals: AdoApproval[] = []): StageView[] {
  const byParent = new Map<string, AdoTimelineRecord[]>();
  for (const r of records) {
    if (!r.parentId) continue;
    const list = byParent.get(r.parentId) ?? [];
    list.push(r);
    byParent.set(r.parentId, list);
  }
  const approvalById = new Map(approvals.map((a) => [a.id.toLowerCase(), a]));
  const children = (id: string): AdoTimelineRecord[] => byParent.get(id) ?? [];

  return records
    .filter((r) => r.type === 'Stage')
    .map((stage): StageView => {
      const checkpoints = children(stage.id).filter((c) => c.type === 'Checkpoint');
      const gates: GateView[] = [];
      for (const cp of checkpoints) {
        const inner = children(cp.id).filter((c) => c.type.startsWith('Checkpoint.'));
        for (const g of inner.sort((a, b) => (a.order ?? 0) - (b.order ?? 0))) {
          const approval = g.type === 'Checkpoint.Approval' ? approvalById.get(g.id.toLowerCase()) : undefined;
          gates.push({
            id: g.id,
            kind: gateKind(g.type),
            name: g.name,
            state: opt(g.state) ?? 'pending',
            result: opt(g.result) ?? (approval && approval.status !== 'pending' ? approval.status : undefined),
            startTime: opt(g.startTime),
            finishTime: opt(g.finishTime),
            durationMs: durationMs(g.startTime, g.finishTime),
            approvers: (approval?.steps ?? []).map((s) => ({
              name: s.actualApprover?.displayName ?? s.assignedApprover?.displayName ?? 'unknown',
              status: s.status,
              when: s.status === 'pending' ? undefined : (s.lastModifiedOn ?? approval?.lastModifiedOn),
              comment: s.comment || undefined,
            })),
            instructions: approval?.instructions || undefined,
          });
        }
      }
      const jobs = children(stage.id)
        .filter((p) => p.type === 'Phase')
        .flatMap((p) => children(p.id).filter((j) => j.type === 'Job'))
        .map((j) => ({ name: j.name, result: opt(j.result), durationMs: durationMs(j.startTime, j.finishTime) }));
      const waits = checkpoints
        .map((c) => durationMs(c.startTime, c.finishTime))
        .filter((n): n is number => n !== undefined);
      return {
        id: stage.id,
        name: stage.name,
        identifier: opt(stage.identifier),
        order: stage.order ?? 0,
        attempt: stage.attempt ?? 1,
        state: opt(stage.state) ?? 'pending',
        result: opt(stage.result),
        startTime: opt(stage.startTime),
        finishTime: opt(stage.finishTime),
        durationMs: durationMs(stage.startTime, stage.finishTime),
        waitMs: waits.length ? waits.reduce((a, b) => a + b, 0) : undefined,
        gates,
        jobs,
      };
    })
    .sort((a, b) => a.order - b.order);
}

/** The names a stage can appear under in records (System.StageName is the identifier). */
export function stageOrderFromTimeline(records: AdoTimelineRecord[]): string[] {
  return records
    .filter((r) => r.type === 'Stage')
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))
    .map((r) => r.identifier || r.name);
}
