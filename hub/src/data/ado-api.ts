/**
 * Azure DevOps REST calls the hub makes, as thin typed functions over RestClient. Paths and
 * api-versions follow the published REST reference; the preview server serves the same shapes.
 */
import { LEDGER_TYPE, RunRef } from './model';
import { RestClient } from './rest-client';

export interface ProjectApi {
  rest: RestClient;
  /** Collection URL ending with '/', e.g. https://dev.azure.com/org/ */
  collectionUrl: string;
  project: string;
}

/** Raw ADO shapes, only the fields the hub reads. */
export interface AdoBuild {
  id: number;
  buildNumber: string;
  status: string;
  result?: string;
  queueTime?: string;
  finishTime?: string;
  definition?: { id: number; name: string };
  requestedFor?: { displayName?: string };
  sourceBranch?: string;
  sourceVersion?: string;
  reason?: string;
  tags?: string[];
}

export interface AdoTimelineRecord {
  id: string;
  parentId?: string | null;
  type: string;
  name: string;
  identifier?: string | null;
  order?: number | null;
  attempt?: number;
  state?: string | null;
  result?: string | null;
  startTime?: string | null;
  finishTime?: string | null;
}

export interface AdoApproval {
  id: string;
  status: string;
  instructions?: string;
  createdOn?: string;
  lastModifiedOn?: string;
  steps?: {
    assignedApprover?: { displayName?: string };
    actualApprover?: { displayName?: string };
    status: string;
    comment?: string;
    initiatedOn?: string;
    lastModifiedOn?: string;
  }[];
}

export interface AdoEnvironment {
  id: number;
  name: string;
}
export interface AdoDeploymentRecord {
  id: number;
  environmentId: number;
  stageName?: string;
  definition?: { id: number; name: string };
  owner?: { id: number; name: string };
  result?: string;
  queueTime?: string;
  finishTime?: string;
}

export interface LedgerAttachmentRef {
  name: string;
  timelineId: string;
  recordId: string;
}

function url(api: ProjectApi, path: string, query: Record<string, string | number | undefined>): string {
  const q = Object.entries(query)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${api.collectionUrl}${encodeURIComponent(api.project)}/_apis/${path}?${q}`;
}

export function toRunRef(b: AdoBuild): RunRef {
  return {
    id: b.id,
    buildNumber: b.buildNumber,
    definitionId: b.definition?.id,
    definitionName: b.definition?.name,
    status: b.status,
    result: b.result,
    queueTime: b.queueTime,
    finishTime: b.finishTime,
    requestedFor: b.requestedFor?.displayName,
    sourceBranch: b.sourceBranch,
    sourceVersion: b.sourceVersion,
    reason: b.reason,
    tags: b.tags,
  };
}

export interface BuildQuery {
  top?: number;
  statusFilter?: 'completed' | 'inProgress' | 'notStarted' | 'all';
  queryOrder?: 'queueTimeDescending' | 'finishTimeDescending';
  minTime?: string;
  definitions?: number[];
  /** Runs carrying all these tags (the tasks tag every run they take part in). */
  tagFilters?: string[];
  continuationToken?: string;
}

/** One page of getBuilds; the next page's token comes back in x-ms-continuationtoken. */
export async function getBuildsPage(
  api: ProjectApi,
  q: BuildQuery,
): Promise<{ runs: RunRef[]; continuationToken?: string }> {
  const res = await api.rest.getJson<{ value: AdoBuild[] }>(
    url(api, 'build/builds', {
      $top: q.top ?? 100,
      statusFilter: q.statusFilter,
      queryOrder: q.queryOrder ?? 'queueTimeDescending',
      minTime: q.minTime,
      definitions: q.definitions?.join(','),
      tagFilters: q.tagFilters?.join(','),
      continuationToken: q.continuationToken,
      'api-version': '7.1',
    }),
  );
  return {
    runs: (res.body?.value ?? []).map(toRunRef),
    continuationToken: res.header('x-ms-continuationtoken') || undefined,
  };
}

/** Follows continuation tokens (from q's, if given) until `limit` runs or the end. */
export async function getBuilds(api: ProjectApi, q: BuildQuery, limit: number): Promise<RunRef[]> {
  const runs: RunRef[] = [];
  let token = q.continuationToken;
  do {
    const page = await getBuildsPage(api, {
      ...q,
      top: Math.min(q.top ?? 200, limit - runs.length),
      continuationToken: token,
    });
    runs.push(...page.runs);
    token = page.continuationToken;
  } while (token && runs.length < limit);
  return runs;
}

/**
 * Definitions - List (api-version 7.1): the pipelines this user can read. The run cache is shared
 * by the project, so a cached run shows only if its pipeline is among them.
 */
export async function getDefinitionIds(api: ProjectApi): Promise<Set<number>> {
  const ids = new Set<number>();
  let token: string | undefined;
  do {
    const res = await api.rest.getJson<{ value?: { id: number }[] }>(
      url(api, 'build/definitions', { $top: 10000, continuationToken: token, 'api-version': '7.1' }),
    );
    for (const d of res.body?.value ?? []) ids.add(d.id);
    token = res.header('x-ms-continuationtoken') || undefined;
  } while (token);
  return ids;
}

export async function getBuild(api: ProjectApi, buildId: number): Promise<RunRef> {
  return toRunRef(
    (await api.rest.getJson<AdoBuild>(url(api, `build/builds/${buildId}`, { 'api-version': '7.1' }))).body,
  );
}

export async function getBuildTimeline(api: ProjectApi, buildId: number): Promise<AdoTimelineRecord[]> {
  const res = await api.rest.getJson<{ records?: AdoTimelineRecord[] } | undefined>(
    url(api, `build/builds/${buildId}/timeline`, { 'api-version': '7.1' }),
  );
  return res.body?.records ?? [];
}

/** getAttachments: the attachment list carries the timeline/record ids only inside its self link. */
export async function getLedgerAttachments(api: ProjectApi, buildId: number): Promise<LedgerAttachmentRef[]> {
  const res = await api.rest.getJson<{ value?: { name: string; _links?: { self?: { href?: string } } }[] }>(
    url(api, `build/builds/${buildId}/attachments/${LEDGER_TYPE}`, { 'api-version': '7.1-preview.2' }),
  );
  const refs: LedgerAttachmentRef[] = [];
  for (const a of res.body?.value ?? []) {
    const m = /\/builds\/\d+\/([0-9a-f-]{36})\/([0-9a-f-]{36})\/attachments\//i.exec(a._links?.self?.href ?? '');
    if (m) refs.push({ name: a.name, timelineId: m[1], recordId: m[2] });
  }
  return refs;
}

export async function getLedgerAttachment(api: ProjectApi, buildId: number, ref: LedgerAttachmentRef): Promise<string> {
  const path = `build/builds/${buildId}/${ref.timelineId}/${ref.recordId}/attachments/${LEDGER_TYPE}/${encodeURIComponent(ref.name)}`;
  return api.rest.getText(url(api, path, { 'api-version': '7.1-preview.2' }));
}

export async function getApprovals(api: ProjectApi, ids: string[]): Promise<AdoApproval[]> {
  if (ids.length === 0) return [];
  const res = await api.rest.getJson<{ value?: AdoApproval[] }>(
    url(api, 'pipelines/approvals', { approvalIds: ids.join(','), $expand: 'steps', 'api-version': '7.1' }),
  );
  return res.body?.value ?? [];
}

export async function getEnvironments(api: ProjectApi): Promise<AdoEnvironment[]> {
  const res = await api.rest.getJson<{ value?: AdoEnvironment[] }>(
    url(api, 'distributedtask/environments', { $top: 100, 'api-version': '7.1' }),
  );
  return res.body?.value ?? [];
}

/**
 * Environmentdeployment Records - List (api-version 7.1): newest first, `top` per page and a
 * continuation token in the x-ms-continuationtoken header.
 * https://learn.microsoft.com/rest/api/azure/devops/distributedtask/environmentdeployment-records/list?view=azure-devops-rest-7.1
 */
export async function getDeploymentRecords(
  api: ProjectApi,
  environmentId: number,
  top: number,
): Promise<AdoDeploymentRecord[]> {
  const rows: AdoDeploymentRecord[] = [];
  let token: string | undefined;
  do {
    const res = await api.rest.getJson<{ value?: AdoDeploymentRecord[] }>(
      url(api, `distributedtask/environments/${environmentId}/environmentdeploymentrecords`, {
        top: Math.min(top - rows.length, 1000),
        continuationToken: token,
        'api-version': '7.1',
      }),
    );
    rows.push(...(res.body?.value ?? []));
    token = res.header('x-ms-continuationtoken') || undefined;
  } while (token && rows.length < top);
  return rows;
}
