/** One run for the Run view and the build results tab: stage strip with gates, plus records. */
import { ProjectApi, getApprovals, getBuild, getBuildTimeline } from './ado-api';
import { readRunRecords } from './ledger-loader';
import { LedgerRecord, RunRef, StageView } from './model';
import { approvalIds, timelineToStages } from './timeline-gates';

export interface RunView {
  run: RunRef;
  stages: StageView[];
  records: LedgerRecord[];
  problems: string[];
}

/** `known` skips reads the caller already has (records of a cached completed run). */
export async function loadRunView(
  api: ProjectApi,
  runId: number,
  known?: { run?: RunRef; records?: LedgerRecord[] },
): Promise<RunView> {
  const [run, timeline] = await Promise.all([known?.run ?? getBuild(api, runId), getBuildTimeline(api, runId)]);
  const [approvals, read] = await Promise.all([
    // Approval details are best effort: the strip still shows the gate without them.
    getApprovals(api, approvalIds(timeline)).catch(() => []),
    known?.records ? Promise.resolve({ records: known.records, problems: [] as string[] }) : readRunRecords(api, run),
  ]);
  return { run, stages: timelineToStages(timeline, approvals), records: read.records, problems: read.problems };
}
