/**
 * Runs waiting at a gate → the environments they wait to enter. A pending stage has no records
 * yet, so its environment is learned from other runs' records (System.StageName → environment),
 * falling back to an environment named like the stage.
 */
import { envOf, rowKey, tagOrDigest } from './matrix';
import { GateKind, LedgerRecord, RunEntry } from './model';

export interface PendingView {
  runId: number;
  buildNumber: string;
  stageName: string;
  gate: string;
  kind: GateKind;
  since?: string;
  waitingOn: string[];
  /** What the run carries (from its earlier stages' records): row key → version label. */
  artifacts: Record<string, string>;
}

export function stageEnvironments(records: LedgerRecord[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const r of records) {
    if (!r.run.stage) continue;
    const stage = r.run.stage.toLowerCase();
    const byEnv = counts.get(stage) ?? new Map<string, number>();
    byEnv.set(envOf(r), (byEnv.get(envOf(r)) ?? 0) + 1);
    counts.set(stage, byEnv);
  }
  return new Map(
    [...counts.entries()].map(([stage, byEnv]) => [stage, [...byEnv.entries()].sort((a, b) => b[1] - a[1])[0][0]]),
  );
}

export function pendingByEnvironment(
  runs: RunEntry[],
  records: LedgerRecord[],
  environments: string[],
): Map<string, PendingView[]> {
  const map = stageEnvironments(records);
  const byName = new Map(environments.map((e) => [e.toLowerCase(), e]));
  const out = new Map<string, PendingView[]>();
  for (const entry of runs) {
    for (const p of entry.pending ?? []) {
      const env =
        map.get(p.stage.toLowerCase()) ?? byName.get(p.stage.toLowerCase()) ?? byName.get(p.stageName.toLowerCase());
      if (!env) continue;
      const artifacts: Record<string, string> = {};
      // Prefer a tag (from the promotion) over a bare digest (from a smoke test of the same image).
      for (const r of entry.records) {
        if (r.artifact && r.status !== 'failed' && (!artifacts[rowKey(r).key] || r.artifact.tags?.length))
          artifacts[rowKey(r).key] = tagOrDigest(r.artifact.tags, r.artifact.digest);
      }
      const list = out.get(env) ?? [];
      list.push({
        runId: entry.run.id,
        buildNumber: entry.run.buildNumber,
        stageName: p.stageName,
        gate: p.gate,
        kind: p.kind,
        since: p.since,
        waitingOn: p.waitingOn,
        artifacts,
      });
      out.set(env, list);
    }
  }
  return out;
}
