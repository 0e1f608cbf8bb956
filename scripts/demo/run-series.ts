/**
 * Plays the series table the way Azure Pipelines runs a multi-stage pipeline: one run (build) per
 * release, stages in waves, the jobs of a stage in parallel, each task from the packaged .vsix through
 * the agent model (devkit/agent). A stage whose environment has an Approval check waits for a pending
 * approval in the fake Azure DevOps host, which the approver decides through its REST API (PATCH
 * pipelines/approvals). After each stage the run's records and timeline are published to the host,
 * as the service publishes attachments and timeline records while a run progresses.
 */
import * as fs from 'node:fs';
import type { LedgerRecord } from '../../tasks/common/ledger';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import type { Gates } from '../../devkit/ado-host/gates';
import type { RecordedTimeline } from '../../devkit/ado-host/fake-ado';
import { SeriesWorld, successQuery } from '../../devkit/stand-ins/series-world';
import { caPaths } from '../../devkit/support/test-ca';
import type { PreviewData } from '../hub-preview';
import { APPROVER, Release, SERIES, Stage, WorldChange } from './series';
import { RunContext, taskFor } from './steps';
import { RunTimeline } from './timeline';

export interface SeriesHost {
  gates: Gates;
  publish(data: PreviewData): void;
  /** https://…/contoso/ of the fake host, and the approver's bearer token there. */
  collectionUrl: string;
  approverToken: string;
}

export interface StageOutcome {
  version: string;
  buildId: number;
  stage: string;
  result: 'succeeded' | 'failed' | 'skipped';
  expected?: string;
}

export interface SeriesResult {
  records: LedgerRecord[];
  timelines: Record<string, RecordedTimeline>;
  stages: StageOutcome[];
  /** Stages whose result differs from the table's expectation. */
  surprises: StageOutcome[];
  ms: number;
}

const LEDGER = 'multicloud-devsecops.ledger';

function applyChange(world: SeriesWorld, c: WorldChange): string {
  if (c.kind === 'rotateSecret') {
    world.kv.kv.set(c.name, c.value);
    return `rotated ${c.name} in Key Vault (new version)`;
  }
  world.kv.kv.update(c.name, { enabled: false });
  return `revoked ${c.name} in Key Vault (disabled)`;
}

export async function runSeries(
  world: SeriesWorld,
  host: SeriesHost,
  log: (line: string) => void,
  signal: AbortSignal,
  series: Release[] = SERIES,
): Promise<SeriesResult> {
  const t0 = Date.now();
  const records: LedgerRecord[] = [];
  const timelines: Record<string, RecordedTimeline> = {};
  const stages: StageOutcome[] = [];
  const publish = (running?: number): void =>
    host.publish({ records: [...records], timelines: { ...timelines }, inProgress: running ? [running] : [] });

  for (const release of series) {
    if (signal.aborted) break;
    const buildNumber = `2026.11.${release.buildId % 100}`;
    log(`release ${release.version} — run ${buildNumber} of shop-release (build ${release.buildId})`);
    for (const c of release.changes ?? []) log(`  ✎ ${applyChange(world, c)}`);
    // What each cluster's canary will measure during this release (the Prometheus stand-in's script).
    const steps = release.waves.flat().flatMap((s) => s.jobs.flatMap((j) => j.steps));
    for (const step of steps)
      if (step.kind === 'release') world.prometheus.script(successQuery(step.target.cluster), step.successRate);
    const timeline = new RunTimeline();
    timelines[String(release.buildId)] = timeline.recorded;
    const ctx: RunContext = { version: release.version, digests: {} };
    let failed = false;
    for (const wave of release.waves) {
      const results = await Promise.all(
        wave.map(async (stage): Promise<StageOutcome> => {
          const expected = release.expect[stage.name];
          if (failed || signal.aborted) {
            timeline.skipStage(stage);
            return {
              version: release.version,
              buildId: release.buildId,
              stage: stage.name,
              result: 'skipped',
              expected,
            };
          }
          const run: StageRun = { world, host, release, buildNumber, ctx, timeline, records, log, signal };
          const ok = await runStage(run, stage, () => publish(release.buildId));
          return {
            version: release.version,
            buildId: release.buildId,
            stage: stage.name,
            result: ok ? 'succeeded' : 'failed',
            expected,
          };
        }),
      );
      stages.push(...results);
      failed ||= results.some((r) => r.result === 'failed');
      publish(release.buildId);
    }
    publish();
  }
  const surprises = stages.filter((s) => s.expected && s.expected !== s.result);
  return { records, timelines, stages, surprises, ms: Date.now() - t0 };
}

interface StageRun {
  world: SeriesWorld;
  host: SeriesHost;
  release: Release;
  buildNumber: string;
  ctx: RunContext;
  timeline: RunTimeline;
  records: LedgerRecord[];
  log: (line: string) => void;
  signal: AbortSignal;
}

async function runStage(r: StageRun, stage: Stage, publish: () => void): Promise<boolean> {
  const { world, host, release, buildNumber, ctx, timeline, records, log, signal } = r;
  const started = Date.now();
  timeline.startStage(stage);
  const approval = host.gates.request(stage.environment, {
    id: '17',
    name: 'shop-release',
    owner: { id: release.buildId, name: buildNumber },
  });
  if (approval) {
    timeline.startApproval(stage, approval.id);
    publish();
    log(`  ⏸ ${stage.name}: waiting for approval on environment ${stage.environment} (${APPROVER.displayName})`);
    const decided = host.gates.decided(approval.id);
    await approve(host, approval.id, `${release.version} is green on staging; go for ${stage.environment}.`);
    const result = await decided;
    timeline.finishApproval(stage, result.status === 'approved');
    log(
      `  ✔ ${stage.name}: ${result.status} by ${result.steps[0]?.actualApprover?.displayName} (PATCH pipelines/approvals)`,
    );
    if (result.status !== 'approved') return false;
  }
  log(`  ▶ ${stage.name} → environment ${stage.environment}`);
  const jobResults = await Promise.all(
    stage.jobs.map(async (job) => {
      const jobStart = Date.now();
      let ok = true;
      for (const step of job.steps) {
        if (!ok || signal.aborted) break;
        const spec = taskFor(step, world, ctx);
        const t = Date.now();
        const run = await runTaskLikeAgent({
          taskDir: packagedTaskDir(spec.task),
          inputs: spec.inputs,
          endpoints: world.endpoints,
          variables: {
            'System.TeamProject': 'shop',
            'System.DefinitionId': '17',
            'Build.DefinitionName': 'shop-release',
            'Build.BuildId': String(release.buildId),
            'Build.BuildNumber': buildNumber,
            'Build.RequestedFor': 'Ada Lovelace',
            'Build.SourceBranch': 'refs/heads/main',
            'System.StageName': stage.name,
            'System.JobDisplayName': job.name,
            'Environment.Name': stage.environment,
          },
          env: { NODE_EXTRA_CA_CERTS: caPaths().cert, ...spec.env },
          timeoutMs: 120_000,
          signal,
        });
        for (const a of run.attachments.filter((x) => x.type === LEDGER))
          records.push(JSON.parse(fs.readFileSync(a.path, 'utf8')) as LedgerRecord);
        const mine = records.filter((r) => r.run.buildId === String(release.buildId));
        const record = mine[mine.length - 1];
        if (spec.task === 'AcrPromote' && run.outputs.imageDigest && step.kind === 'promote')
          ctx.digests[step.to] = run.outputs.imageDigest;
        ok = run.result === 'Succeeded' || run.result === 'SucceededWithIssues';
        const secs = ((Date.now() - t) / 1000).toFixed(1);
        log(`    ${ok ? '✔' : '✘'} ${spec.task}: ${spec.title} (${secs} s)`);
        const said = record?.summary ?? run.resultMessage ?? run.stderr.trim().split('\n').pop() ?? '';
        if (said) log(`      ${said}`);
        if (!ok && run.resultMessage && run.resultMessage !== said) log(`      ${run.resultMessage}`);
      }
      timeline.addJob(stage, job.name, jobStart, ok);
      return ok;
    }),
  );
  const ok = jobResults.every(Boolean);
  timeline.finishStage(stage, ok);
  log(
    `  ${ok ? '✔' : '✘'} ${stage.name} ${ok ? 'succeeded' : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return ok;
}

/** The approver decides in Azure DevOps: Approvals - Update, as the web UI sends it. */
async function approve(host: SeriesHost, approvalId: string, comment: string): Promise<void> {
  const res = await fetch(`${host.collectionUrl}shop/_apis/pipelines/approvals?api-version=7.1`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${host.approverToken}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ approvalId, status: 'approved', comment }]),
  });
  if (!res.ok) throw new Error(`approving ${approvalId} failed: HTTP ${res.status} ${await res.text()}`);
}
