/**
 * Who ran what comes from Azure DevOps, never from the record: a record is a file any job step can
 * write, so its `run` block is only a claim. The Build API's answer for the build the attachment
 * belongs to replaces it; a record that claims another run, or comes from a run that is not a
 * deployment to its environment (a pull-request validation build, no environment deployment record),
 * is flagged and kept out of the matrix.
 */
import { envOf } from './matrix';
import { EnvironmentRef, LedgerRecord, RunRef } from './model';

const differs = (claimed: string | undefined, actual: string | undefined): boolean =>
  claimed !== undefined && actual !== undefined && claimed.trim().toLowerCase() !== actual.trim().toLowerCase();

export function withBuildIdentity(record: LedgerRecord, run: RunRef): LedgerRecord {
  const c = record.run;
  const claims: string[] = [];
  if (differs(c.buildId, String(run.id))) claims.push(`run id ${c.buildId}`);
  if (differs(c.buildNumber, run.buildNumber)) claims.push(`run ${c.buildNumber}`);
  if (differs(c.pipeline, run.definitionName)) claims.push(`pipeline ${c.pipeline}`);
  if (differs(c.definitionId, run.definitionId === undefined ? undefined : String(run.definitionId)))
    claims.push(`definition ${c.definitionId}`);
  if (differs(c.requestedFor, run.requestedFor)) claims.push(`requester ${c.requestedFor}`);
  const pr = run.reason === 'pullRequest' || (run.sourceBranch ?? '').startsWith('refs/pull/');
  const flags = [
    ...(claims.length
      ? [
          `The record claims ${claims.join(', ')}, but it is attached to run ${run.buildNumber} (${run.definitionName ?? 'pipeline'}).`,
        ]
      : []),
    ...(pr ? [`Run ${run.buildNumber} is a pull-request validation build, not a deployment.`] : []),
  ];
  return {
    ...record,
    run: {
      stage: c.stage,
      stageAttempt: c.stageAttempt,
      job: c.job,
      environment: c.environment,
      buildId: String(run.id),
      buildNumber: run.buildNumber,
      pipeline: run.definitionName,
      definitionId: run.definitionId === undefined ? undefined : String(run.definitionId),
      requestedFor: run.requestedFor,
      sourceBranch: run.sourceBranch,
      sourceVersion: run.sourceVersion,
    },
    flag: flags.length ? flags.join(' ') : undefined,
  };
}

/**
 * A record for an environment whose deployment records (Environments API) do not list its run did
 * not deploy there. Only checked when the environments could be read (the scope can be removed).
 */
export function flagUndeployed(records: LedgerRecord[], environments: EnvironmentRef[]): LedgerRecord[] {
  if (!environments.some((e) => e.deployedRuns)) return records;
  const byName = new Map(environments.map((e) => [e.name.toLowerCase(), e]));
  return records.map((r) => {
    if (r.flag) return r;
    const env = byName.get(envOf(r).toLowerCase());
    const runId = Number(r.run.buildId);
    if (env?.deployedRuns && env.deployedRuns.includes(runId)) return r;
    const why = env
      ? `Run ${r.run.buildNumber} has no deployment record for environment ${env.name}.`
      : `${envOf(r)} is not an environment of this project, so nothing proves run ${r.run.buildNumber} deployed there.`;
    return { ...r, flag: why };
  });
}
