/**
 * Deep links into Azure DevOps (hrefs, so they open in a new tab or copy like any link). URL shapes
 * of the web UI: _build/results?buildId=…, &view=logs&s=<stage record id> for a stage,
 * _environments/<id> for an environment.
 */
export interface HubLinks {
  run(buildId: number): string;
  stage(buildId: number, stageRecordId: string): string;
  environment(environmentId: number): string;
}

export function hubLinks(collectionUrl: string, project: string): HubLinks {
  const base = `${collectionUrl}${encodeURIComponent(project)}`;
  return {
    run: (id) => `${base}/_build/results?buildId=${id}&view=results`,
    stage: (id, stage) => `${base}/_build/results?buildId=${id}&view=logs&s=${encodeURIComponent(stage)}`,
    environment: (id) => `${base}/_environments/${id}?view=deployments`,
  };
}
