/**
 * A fake Azure DevOps REST surface for the hub's local preview, benchmark and browser tests:
 * Build (builds with continuation tokens, timeline, attachments), Approvals, Environments with
 * deployment records, and extension data documents, shaped like the published REST reference
 * and fed with ledger records. Runs without a recorded timeline get one derived from their
 * records (stages in record order, a production approval) so every run can be opened.
 */
import type { LedgerRecord } from '../../tasks/common/ledger';
import type { Gates } from './gates';

export interface RecordedTimeline {
  timeline: { records: unknown[] };
  approvals?: { value: unknown[] };
}

/** A run whose attachments are given as is, whatever their records claim (e.g. a PR build with a forged record). */
export interface ExtraBuild {
  id: number;
  buildNumber: string;
  definition: { id: number; name: string };
  requestedFor: string;
  reason: string;
  sourceBranch: string;
  records: LedgerRecord[];
  /** Environments it has deployment records for (a PR validation build has none). */
  deployedTo?: string[];
}

export interface FakeAdoOptions {
  records: LedgerRecord[];
  extraBuilds?: ExtraBuild[];
  /** CI runs without the ledger tag, queued after every release run (they must not hide promotions). */
  unrelatedRuns?: number;
  timelines?: Record<string, RecordedTimeline>;
  /** Build ids reported as still running (no finish time). */
  inProgress?: number[];
  /** Answer every Nth API request with 429 + Retry-After. */
  throttle?: { everyNth: number; retryAfterSeconds: number };
  /** Answer the first `times` builds listings with `status` (a permission or outage the user can retry after). */
  failListings?: { status: number; times: number };
  /** Pipelines the signed-in user may not read: left out of every list, as the service does. */
  hiddenDefinitions?: number[];
  /** Approvals and checks kept across data refreshes (the demo records its approvals there). */
  gates?: Gates;
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface FakeBuild {
  id: number;
  buildNumber: string;
  status: string;
  result?: string;
  queueTime: string;
  startTime: string;
  finishTime?: string;
  definition: { id: number; name: string };
  requestedFor: { displayName: string };
  sourceBranch?: string;
  project: { name: string };
  reason: string;
  tags: string[];
}

/** The tag every task adds to its run (tasks/common/record/schema.ts LEDGER_BUILD_TAG). */
const LEDGER_TAG = 'multicloud-devsecops';

const LEDGER = 'multicloud-devsecops.ledger';
const json = (status: number, body: unknown, headers: Record<string, string> = {}): FakeResponse => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});
const guid = (n: number, tag: number): string =>
  `${tag.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export class FakeAdo {
  readonly builds: FakeBuild[];
  readonly documents = new Map<string, Map<string, unknown>>();
  private readonly byBuild = new Map<number, LedgerRecord[]>();
  private readonly envIds = new Map<string, number>();
  private calls = 0;

  constructor(private readonly options: FakeAdoOptions) {
    for (const given of options.records) {
      // Records from a local task run may carry no build id: they form one run (id 1).
      const valid = Number.isInteger(Number(given.run?.buildId)) && Number(given.run.buildId) > 0;
      const id = valid ? Number(given.run.buildId) : 1;
      const r = valid ? given : { ...given, run: { ...given.run, buildId: '1' } };
      this.byBuild.set(id, [...(this.byBuild.get(id) ?? []), r]);
      const env = r.environment ?? r.run.stage ?? '';
      if (env && !this.envIds.has(env)) this.envIds.set(env, this.envIds.size + 1);
    }
    const running = new Set(options.inProgress ?? []);
    this.builds = [...this.byBuild.entries()].map(([id, recs]) => {
      const first = recs.reduce((a, b) => (a.startedAt < b.startedAt ? a : b));
      const last = recs.reduce((a, b) => (a.finishedAt > b.finishedAt ? a : b));
      const failed = recs.some((r) => r.status === 'failed');
      const done = !running.has(id);
      return {
        id,
        buildNumber: first.run.buildNumber ?? String(id),
        status: done ? 'completed' : 'inProgress',
        result: done ? (failed ? 'failed' : 'succeeded') : undefined,
        queueTime: new Date(Date.parse(first.startedAt) - 240_000).toISOString(),
        startTime: new Date(Date.parse(first.startedAt) - 230_000).toISOString(),
        finishTime: done ? new Date(Date.parse(last.finishedAt) + 60_000).toISOString() : undefined,
        definition: { id: Number(first.run.definitionId) || 1, name: first.run.pipeline ?? 'pipeline' },
        requestedFor: { displayName: first.run.requestedFor ?? 'someone' },
        sourceBranch: first.run.sourceBranch,
        project: { name: first.run.project ?? 'project' },
        reason: 'individualCI',
        tags: [LEDGER_TAG],
      };
    });
    this.deployers = new Map(
      this.builds.map((b) => [b.id, (this.byBuild.get(b.id) ?? []).map((r) => r.environment ?? r.run.stage ?? '')]),
    );
    for (const x of options.extraBuilds ?? []) {
      this.byBuild.set(x.id, x.records);
      this.deployers.set(x.id, x.deployedTo ?? []);
      const first = x.records[0];
      this.builds.push({
        id: x.id,
        buildNumber: x.buildNumber,
        status: 'completed',
        result: 'succeeded',
        queueTime: first.startedAt,
        startTime: first.startedAt,
        finishTime: first.finishedAt,
        definition: x.definition,
        requestedFor: { displayName: x.requestedFor },
        sourceBranch: x.sourceBranch,
        project: { name: 'shop' },
        reason: x.reason,
        tags: [LEDGER_TAG],
      });
    }
    const newest = this.builds.reduce((a, b) => (b.queueTime > a ? b.queueTime : a), '2026-01-01T00:00:00Z');
    const maxId = this.builds.reduce((a, b) => Math.max(a, b.id), 0);
    for (let i = 1; i <= (options.unrelatedRuns ?? 0); i++) {
      const t = new Date(Date.parse(newest) + i * 60_000).toISOString();
      this.builds.push({
        id: maxId + i,
        buildNumber: `ci.${i}`,
        status: 'completed',
        result: 'succeeded',
        queueTime: t,
        startTime: t,
        finishTime: t,
        definition: { id: 3, name: 'shop-ci' },
        requestedFor: { displayName: 'Build Service' },
        sourceBranch: 'refs/heads/main',
        project: { name: 'shop' },
        reason: 'individualCI',
        tags: [],
      });
    }
  }

  private failedListings = 0;
  /** The id the Environments API gives this environment name. */
  environmentId(name: string): number | undefined {
    return this.envIds.get(name);
  }

  /** Build id → the environments it has deployment records for. */
  private readonly deployers: Map<number, string[]>;

  /** Handles one API request; `path` is below the collection URL, e.g. `shop/_apis/build/builds`. */
  handle(method: string, path: string, query: URLSearchParams, body: string, token?: string): FakeResponse {
    const t = this.options.throttle;
    if (t && ++this.calls % t.everyNth === 0) {
      return json(
        429,
        { message: 'Request was blocked due to exceeding usage of resource.' },
        { 'retry-after': String(t.retryAfterSeconds), 'x-ratelimit-resource': 'ATCPU' },
      );
    }
    if (!query.get('api-version'))
      return json(400, {
        message: 'No api-version was supplied for the "GET" request.',
        typeKey: 'VssVersionNotSpecifiedException',
      });
    const m = (re: RegExp): RegExpExecArray | null => re.exec(path);
    let g: RegExpExecArray | null;
    // Extension data: project-shared (Default/Current) and user (User/Me) scopes, kept apart.
    const DATA =
      /^_apis\/ExtensionManagement\/InstalledExtensions\/[^/]+\/[^/]+\/Data\/Scopes\/(User\/Me|Default\/Current)\/Collections\/([^/]+)\/Documents/i;
    if ((g = m(new RegExp(`${DATA.source}$`, 'i'))))
      return this.docs(method, `${g[1]}/${decodeURIComponent(g[2])}`, body);
    if ((g = m(new RegExp(`${DATA.source}\\/([^/]+)$`, 'i')))) {
      const docs = this.documents.get(`${g[1]}/${decodeURIComponent(g[2])}`);
      const id = decodeURIComponent(g[3]);
      if (method === 'GET')
        return docs?.has(id) ? json(200, docs.get(id)) : json(404, { message: `document ${id} not found` });
      if (method !== 'DELETE') return json(405, { message: 'method not allowed' });
      return docs?.delete(id) ? { status: 204, headers: {}, body: '' } : json(404, { message: 'document not found' });
    }
    const gated = this.options.gates?.handle(method, path, query, body, token);
    if (gated) return gated;
    if (method !== 'GET') return json(405, { message: 'method not allowed' });
    if (m(/^[^/]+\/_apis\/build\/builds$/)) {
      const f = this.options.failListings;
      if (f && this.failedListings < f.times) {
        this.failedListings++;
        return json(f.status, { message: 'TF400813: The user is not authorized to access this resource.' });
      }
      return this.listBuilds(query);
    }
    if (m(/^[^/]+\/_apis\/build\/definitions$/)) return this.listDefinitions();
    if ((g = m(/^[^/]+\/_apis\/build\/builds\/(\d+)$/))) return this.build(Number(g[1]), (b) => json(200, b));
    if ((g = m(/^[^/]+\/_apis\/build\/builds\/(\d+)\/timeline$/)))
      return this.build(Number(g[1]), (b) => json(200, this.timeline(b)));
    if ((g = m(/^([^/]+)\/_apis\/build\/builds\/(\d+)\/attachments\/([^/]+)$/)))
      return this.build(Number(g[2]), (b) => this.attachments(b, g![1], decodeURIComponent(g![3])));
    if (
      (g = m(/^[^/]+\/_apis\/build\/builds\/(\d+)\/[0-9a-f-]{36}\/([0-9a-f-]{36})\/attachments\/([^/]+)\/([^/]+)$/))
    ) {
      return this.build(Number(g[1]), (b) => this.attachment(b, g![2], decodeURIComponent(g![3])));
    }
    if (m(/^[^/]+\/_apis\/pipelines\/approvals$/)) return this.approvals(query);
    if (m(/^[^/]+\/_apis\/distributedtask\/environments$/)) {
      const value = [...this.envIds.entries()].map(([name, id]) => ({
        id,
        name,
        description: '',
        createdOn: '2026-01-01T00:00:00Z',
      }));
      return json(200, { count: value.length, value });
    }
    if ((g = m(/^[^/]+\/_apis\/distributedtask\/environments\/(\d+)\/environmentdeploymentrecords$/)))
      return this.deployments(Number(g[1]), query);
    return json(404, { message: `No route for ${path}` });
  }

  private build(id: number, then: (b: FakeBuild) => FakeResponse): FakeResponse {
    const b = this.builds.find((x) => x.id === id);
    return b
      ? then(b)
      : json(404, { message: `The requested build ${id} could not be found.`, typeKey: 'BuildNotFoundException' });
  }

  /**
   * Builds - List (api-version 7.1): statusFilter, queryOrder, minTime, definitions, reasonFilter,
   * tagFilters (a build must carry every listed tag), $top and continuationToken (x-ms-continuationtoken).
   * https://learn.microsoft.com/rest/api/azure/devops/build/builds/list?view=azure-devops-rest-7.1
   */
  private listBuilds(q: URLSearchParams): FakeResponse {
    const status = q.get('statusFilter') ?? 'all';
    const order = q.get('queryOrder') ?? 'queueTimeDescending';
    const key = (b: FakeBuild): string => (order.startsWith('finishTime') ? (b.finishTime ?? '') : b.queueTime);
    const min = q.get('minTime');
    const tags = (q.get('tagFilters') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const definitions = (q.get('definitions') ?? '').split(',').filter(Boolean).map(Number);
    const reasons = (q.get('reasonFilter') ?? '').split(',').filter(Boolean);
    let list = this.builds
      .filter((b) => status === 'all' || b.status === status)
      .filter((b) => !min || key(b) >= new Date(min).toISOString())
      .filter((b) => tags.every((t) => b.tags.includes(t)))
      .filter((b) => !definitions.length || definitions.includes(b.definition.id))
      .filter((b) => !reasons.length || reasons.includes(b.reason))
      .filter((b) => !this.options.hiddenDefinitions?.includes(b.definition.id));
    list = list.sort((a, b) => key(b).localeCompare(key(a)) || b.id - a.id);
    const top = Math.min(Number(q.get('$top') ?? 1000) || 1000, 5000);
    const offset = Number(Buffer.from(q.get('continuationToken') ?? '', 'base64').toString() || 0);
    const page = list.slice(offset, offset + top);
    const headers: Record<string, string> =
      offset + top < list.length
        ? { 'x-ms-continuationtoken': Buffer.from(String(offset + top)).toString('base64') }
        : {};
    return json(200, { count: page.length, value: page }, headers);
  }

  /** Definitions - List (api-version 7.1): the pipelines the user can read (id and name suffice here). */
  private listDefinitions(): FakeResponse {
    const byId = new Map(this.builds.map((b) => [b.definition.id, b.definition]));
    const value = [...byId.values()].filter((d) => !this.options.hiddenDefinitions?.includes(d.id));
    return json(200, { count: value.length, value });
  }

  private attachments(b: FakeBuild, project: string, type: string): FakeResponse {
    const value =
      type !== LEDGER
        ? []
        : (this.byBuild.get(b.id) ?? []).map((r, i) => ({
            name: `${r.task}-${r.id}`,
            _links: {
              self: {
                href: `https://dev.azure.com/contoso/${project}/_apis/build/builds/${b.id}/${guid(b.id, 0xf00d)}/${guid(i + 1, b.id)}/attachments/${LEDGER}/${encodeURIComponent(`${r.task}-${r.id}`)}`,
              },
            },
          }));
    return json(200, { count: value.length, value });
  }

  private attachment(b: FakeBuild, recordId: string, type: string): FakeResponse {
    const recs = this.byBuild.get(b.id) ?? [];
    const index = recs.findIndex((_, i) => guid(i + 1, b.id) === recordId.toLowerCase());
    if (type !== LEDGER || index < 0) return json(404, { message: 'attachment not found' });
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: JSON.stringify(recs[index], null, 2),
    };
  }

  private timeline(b: FakeBuild): unknown {
    const recorded = this.options.timelines?.[String(b.id)];
    if (recorded) return recorded.timeline;
    const recs = [...(this.byBuild.get(b.id) ?? [])].sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    const stages: string[] = [];
    for (const r of recs) if (r.run.stage && !stages.includes(r.run.stage)) stages.push(r.run.stage);
    const records: unknown[] = [];
    stages.forEach((stage, i) => {
      const mine = recs.filter((r) => r.run.stage === stage);
      const id = guid(i + 1, 0x5700 + (b.id % 0xff));
      const start = new Date(Date.parse(mine[0].startedAt) - 60_000).toISOString();
      const finish = mine.reduce((a, r) => (r.finishedAt > a ? r.finishedAt : a), start);
      const failed = mine.some((r) => r.status === 'failed');
      records.push({
        id,
        parentId: null,
        type: 'Stage',
        name: stage[0].toUpperCase() + stage.slice(1),
        identifier: stage,
        order: i + 1,
        attempt: 1,
        state: 'completed',
        result: failed ? 'failed' : 'succeeded',
        startTime: start,
        finishTime: finish,
      });
      records.push({
        id: guid(i + 1, 0x7000 + (b.id % 0xff)),
        parentId: id,
        type: 'Phase',
        name: `Deploy ${stage}`,
        identifier: `deploy_${stage}`,
        order: 1,
        attempt: 1,
        state: 'completed',
        result: failed ? 'failed' : 'succeeded',
        startTime: start,
        finishTime: finish,
      });
      records.push({
        id: guid(i + 1, 0x8000 + (b.id % 0xff)),
        parentId: guid(i + 1, 0x7000 + (b.id % 0xff)),
        type: 'Job',
        name: mine[0].run.job ?? `Deploy ${stage}`,
        order: 1,
        attempt: 1,
        state: 'completed',
        result: failed ? 'failed' : 'succeeded',
        startTime: start,
        finishTime: finish,
      });
    });
    return { id: guid(b.id, 0xf00d), changeId: records.length, records };
  }

  private approvals(q: URLSearchParams): FakeResponse {
    const ids = new Set(
      (q.get('approvalIds') ?? '')
        .split(',')
        .filter(Boolean)
        .map((s) => s.toLowerCase()),
    );
    const all = Object.values(this.options.timelines ?? {}).flatMap(
      (t) => (t.approvals?.value ?? []) as { id: string }[],
    );
    const value = all.filter((a) => ids.size === 0 || ids.has(a.id.toLowerCase()));
    return json(200, { count: value.length, value });
  }

  private deployments(envId: number, q: URLSearchParams): FakeResponse {
    const name = [...this.envIds.entries()].find(([, id]) => id === envId)?.[0];
    if (name === undefined) return json(404, { message: `Environment ${envId} not found` });
    const rows = this.builds
      .filter((b) => (this.deployers.get(b.id) ?? []).includes(name))
      .map((b) => {
        const mine = (this.byBuild.get(b.id) ?? []).filter((r) => (r.environment ?? r.run.stage) === name);
        return {
          id: b.id * 10 + envId,
          requestIdentifier: guid(b.id, envId),
          environmentId: envId,
          serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
          scopeId: '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c',
          resourceId: 0,
          planType: 'Build',
          planId: guid(b.id, 0xf00d),
          stageName: mine[0].run.stage,
          jobName: mine[0].run.job,
          stageAttempt: 1,
          jobAttempt: 1,
          definition: b.definition,
          owner: { id: b.id, name: b.buildNumber },
          result: mine.some((r) => r.status === 'failed') ? 'failed' : 'succeeded',
          queueTime: mine[0].startedAt,
          startTime: mine[0].startedAt,
          finishTime: mine[mine.length - 1].finishedAt,
        };
      })
      .sort((a, b) => b.finishTime.localeCompare(a.finishTime));
    // Environmentdeployment Records - List: `top` per page, continuation token in x-ms-continuationtoken.
    const top = Math.min(Number(q.get('top') ?? 50) || 50, 1000);
    const offset = Number(Buffer.from(q.get('continuationToken') ?? '', 'base64').toString() || 0);
    const headers: Record<string, string> =
      offset + top < rows.length
        ? { 'x-ms-continuationtoken': Buffer.from(String(offset + top)).toString('base64') }
        : {};
    return json(200, { count: Math.min(top, rows.length - offset), value: rows.slice(offset, offset + top) }, headers);
  }

  private docs(method: string, collection: string, body: string): FakeResponse {
    const docs = this.documents.get(collection) ?? new Map<string, unknown>();
    this.documents.set(collection, docs);
    if (method === 'GET') return json(200, { count: docs.size, value: [...docs.values()] });
    if (method !== 'PUT') return json(405, { message: 'method not allowed' });
    let doc: { id?: unknown };
    try {
      doc = JSON.parse(body) as { id?: unknown };
    } catch {
      return json(400, { message: 'document is not JSON' });
    }
    if (typeof doc.id !== 'string' || !doc.id) return json(400, { message: 'document id is required' });
    const stored = { ...doc, __etag: ((docs.get(doc.id) as { __etag?: number } | undefined)?.__etag ?? 0) + 1 };
    docs.set(doc.id, stored);
    return json(200, stored);
  }
}
