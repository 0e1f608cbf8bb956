/**
 * Who let a version into an environment: the approvals of the stage that placed it, from the
 * run's timeline (Checkpoint.Approval records) and the Approvals API (actual approver, comment).
 * Read once per run whose version a matrix cell shows, after the first render, and cached with the
 * run (a completed run's approvals never change).
 */
import { getApprovals, getBuildTimeline, ProjectApi } from './ado-api';
import { LedgerRecord, RunEntry } from './model';
import { approvalIds, timelineToStages } from './timeline-gates';

export interface StageGate {
  /** Stage identifier (System.StageName) and display name. */
  stage: string;
  stageName: string;
  /** Timeline record id of the stage: the deep link's `s=`. */
  stageId: string;
  approvalId: string;
  result?: string;
  approvers: { name: string; status: string; when?: string; comment?: string }[];
}

export async function readRunGates(api: ProjectApi, runId: number): Promise<StageGate[]> {
  const timeline = await getBuildTimeline(api, runId);
  const ids = approvalIds(timeline);
  const approvals = ids.length ? await getApprovals(api, ids) : [];
  return timelineToStages(timeline, approvals).flatMap((s) =>
    s.gates
      .filter((g) => g.kind === 'approval')
      .map((g) => ({
        stage: s.identifier ?? s.name,
        stageName: s.name,
        stageId: s.id,
        approvalId: g.id,
        result: g.result,
        approvers: g.approvers,
      })),
  );
}

/** The approval gate of the stage that wrote `record`, if its run's gates were read. */
export function gateOf(entry: RunEntry | undefined, record: LedgerRecord): StageGate | undefined {
  const stage = (record.run.stage ?? '').toLowerCase();
  if (!stage) return undefined;
  return entry?.gates?.find((g) => g.stage.toLowerCase() === stage || g.stageName.toLowerCase() === stage);
}

/** Runs whose versions the cells show and whose gates are not known yet (newest first, bounded). */
export function runsNeedingGates(runs: Map<number, RunEntry>, shown: LedgerRecord[], max = 12): number[] {
  const ids = [...new Set(shown.map((r) => Number(r.run.buildId)))].filter((id) => {
    const e = runs.get(id);
    return e && e.run.status === 'completed' && e.gates === undefined;
  });
  return ids.sort((a, b) => b - a).slice(0, max);
}
