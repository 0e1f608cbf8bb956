/**
 * The recorded timeline and approval of run 1042 (fixtures/timeline-1042.json, approvals-1042.json)
 * replayed for another run: new approval id, times moved with the run, another approver. Gives every
 * replayed run that reached production the Checkpoint.Approval and Approvals API answer a real run has.
 */
import type { RecordedTimeline } from './sample-data';

interface Rec {
  id: string;
  type: string;
  startTime?: string | null;
  finishTime?: string | null;
  [k: string]: unknown;
}

export function replayTimeline(
  recorded: RecordedTimeline,
  buildId: number,
  shiftMs: number,
  approver: string,
): RecordedTimeline {
  const approvalId = `e0000000-0000-4000-8000-${buildId.toString(16).padStart(12, '0')}`;
  const move = (iso?: string | null): string | null | undefined =>
    iso ? new Date(Date.parse(iso) + shiftMs).toISOString() : iso;
  const records = (recorded.timeline.records as Rec[]).map((r) => ({
    ...r,
    id: r.type === 'Checkpoint.Approval' ? approvalId : r.id,
    startTime: move(r.startTime),
    finishTime: move(r.finishTime),
  }));
  const approvals = (recorded.approvals.value as Record<string, unknown>[]).map((a) => {
    const steps = (a.steps as Record<string, unknown>[]).map((s) => ({
      ...s,
      actualApprover: { ...(s.actualApprover as object), displayName: approver },
      initiatedOn: move(s.initiatedOn as string),
      lastModifiedOn: move(s.lastModifiedOn as string),
    }));
    return {
      ...a,
      id: approvalId,
      steps,
      createdOn: move(a.createdOn as string),
      lastModifiedOn: move(a.lastModifiedOn as string),
      pipeline: { ...(a.pipeline as object), owner: { id: buildId, name: String(buildId) } },
    };
  });
  return { timeline: { ...recorded.timeline, records }, approvals: { value: approvals } };
}
