import * as assert from 'node:assert/strict';
import { loadHubData } from '../../hub/src/data/ledger-loader';
import { buildMatrix } from '../../hub/src/data/matrix';
import { HubData, LedgerRecord, RunEntry } from '../../hub/src/data/model';
import {
  CACHE_VERSION,
  CacheDoc,
  MemoryDocumentStore,
  planIndex,
  planWrites,
  readSnapshot,
} from '../../hub/src/data/run-cache';
import { FakeAdo } from '../../devkit/ado-host/fake-ado';
import { fakeAdoApi } from '../../devkit/ado-host/fake-fetch';
import { WAITING_RUN, hostileRecord, sampleData } from '../../devkit/ado-host/sample-data';
import { pendingByEnvironment } from '../../hub/src/data/pending';

const HOUR = 3_600_000;

/** A copy of one run's records as a later run (new build id, times shifted). */
function laterRun(records: LedgerRecord[], from: string, to: number, shiftMs: number): LedgerRecord[] {
  const shift = (iso: string): string => new Date(Date.parse(iso) + shiftMs).toISOString();
  return records
    .filter((r) => r.run.buildId === from)
    .map((r) => ({
      ...r,
      id: `${r.id}-x`,
      startedAt: shift(r.startedAt),
      finishedAt: shift(r.finishedAt),
      run: { ...r.run, buildId: String(to), buildNumber: `20261121.${to % 10}` },
    }));
}

describe('hub data: loading with the run cache', () => {
  it('reads every run cold, then serves a warm load from the cache with a handful of requests', async () => {
    const { records, timelines } = sampleData({ runs: 40 });
    const ado = new FakeAdo({ records, timelines });
    const store = new MemoryDocumentStore();

    const cold = fakeAdoApi(ado);
    const first = await loadHubData({ api: cold.api, store });
    await first.persisted;
    assert.equal(first.data.records.length, records.length);
    assert.equal(first.data.runs.length, 40);
    assert.deepEqual(first.data.stageOrder, ['build', 'dev', 'staging', 'prod']);
    assert.deepEqual(first.data.partial, []);
    assert.equal(cold.rec.count(/\/attachments\/multicloud-devsecops\.ledger\?/), 40);
    assert.equal(cold.rec.count(/\/attachments\/multicloud-devsecops\.ledger\/[^?]+\?/), records.length);
    assert.deepEqual([...store.docs.keys()].sort(), [
      'chunk-0000001003-0000001017-15',
      'chunk-0000001018-0000001042-25',
      'index',
    ]);

    const warm = fakeAdoApi(ado);
    const second = await loadHubData({ api: warm.api, store });
    await second.persisted;
    assert.deepEqual(second.data.records.map((r) => r.id).sort(), records.map((r) => r.id).sort());
    assert.deepEqual(second.data.stageOrder, first.data.stageOrder);
    assert.equal(warm.rec.count(/attachments/), 0, warm.rec.log.join('\n'));
    assert.equal(warm.rec.count(/timeline/), 0, 'stage order comes from the cache');
    // readable pipelines + newest completed + in-progress + environments + one deployment record list per environment
    assert.equal(warm.api.rest.requests, 1 + 2 + 1 + 2, warm.rec.log.join('\n'));
    assert.ok(
      warm.rec.log.filter((l) => /build\/builds\?/.test(l)).every((l) => /tagFilters=multicloud-devsecops/.test(l)),
      'only tagged runs are listed',
    );
    // The newest completed page, asked before the index is read, covers "completed since the watermark".
    assert.deepEqual(
      warm.rec.log.filter((l) => /statusFilter=completed/.test(l)).map((l) => /queryOrder=\w+/.exec(l)?.[0]),
      ['queryOrder=finishTimeDescending'],
    );
  });

  it('warm: renders the matrix from the small index before reading the chunks, the same matrix as from everything', async () => {
    const { records, timelines } = sampleData({ runs: 60 });
    const ado = new FakeAdo({ records, timelines, unrelatedRuns: 100 });
    const store = new MemoryDocumentStore();
    await (
      await loadHubData({ api: fakeAdoApi(ado).api, store })
    ).persisted;
    const index = store.docs.get('index')!;
    const chunkBytes = [...store.docs.values()]
      .filter((d) => d.id !== 'index')
      .reduce((n, d) => n + JSON.stringify(d).length, 0);
    assert.ok(JSON.stringify(index).length * 10 < chunkBytes, 'the index is a small part of the cache');
    store.reads = 0;
    let firstReads = -1;
    let first: HubData | undefined;
    let before: string[] = [];
    const warm = fakeAdoApi(ado);
    const result = await loadHubData(
      { api: warm.api, store },
      {
        onPartial: (data) => {
          first ??= data;
          if (firstReads < 0) [firstReads, before] = [store.reads, [...warm.rec.log]];
        },
      },
    );
    assert.equal(firstReads, 1, 'only the index was read before the first matrix');
    assert.equal(store.reads, 2, 'then the chunks, once');
    // The proof of deployment (hundreds of kilobytes per environment) is asked for after the first matrix.
    const proof = /environmentdeploymentrecords/;
    assert.deepEqual(
      before.filter((l) => proof.test(l)),
      [],
      before.join('\n'),
    );
    assert.equal(
      before.length,
      4,
      `environments, pipelines, runs in progress, newest completed:\n${before.join('\n')}`,
    );
    assert.equal(warm.rec.count(proof), 2, 'then one list per environment');
    const cells = (data: HubData) => {
      const m = buildMatrix(data.records, data.stageOrder);
      return {
        environments: m.environments,
        cells: m.rows.map((row) =>
          Object.entries(row.cells).map(([env, c]) => [row.key, env, c.current?.id, c.latest?.id, c.verdict?.id]),
        ),
        verified: [...m.verifiedByDigest.entries()],
      };
    };
    assert.deepEqual(cells(first!), cells(result.data));
    assert.ok(first!.records.length < result.data.records.length / 10);
    assert.equal(result.data.records.length, records.length);
  });

  it('cold: a promise from onPartial holds every later request until it settles (the first render comes first)', async () => {
    const { records, timelines } = sampleData({ runs: 40 });
    const ado = new FakeAdo({ records, timelines, unrelatedRuns: 50 });
    const cold = fakeAdoApi(ado);
    let release: () => void = () => undefined;
    const view = new Promise<void>((resolve) => (release = resolve));
    let atFirst = -1;
    const store = new MemoryDocumentStore();
    const loading = loadHubData(
      { api: cold.api, store },
      {
        onPartial: () => {
          if (atFirst >= 0) return undefined;
          atFirst = cold.api.rest.requests;
          return view;
        },
      },
    );
    // However long the view takes (its code still being evaluated), no request goes out meanwhile.
    for (let i = 0; i < 50 && atFirst < 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(atFirst > 0, 'a first partial load was handed over');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cold.api.rest.requests, atFirst, cold.rec.log.slice(atFirst).join('\n'));
    assert.equal(store.docs.size, 0, 'the first batch is cached once the view has it, not before (a request too)');
    release();
    const result = await loading;
    assert.ok(cold.api.rest.requests > atFirst + 40, 'the rest of the runs are read once it settles');
    assert.equal(result.data.records.length, records.length);
    await result.persisted;
    assert.ok(store.docs.has('index'));
  });

  it('the project-shared cache shows a user only runs of pipelines they can read', async () => {
    const { records, timelines } = sampleData({ runs: 6 });
    const other = laterRun(records, '1041', 1050, HOUR).map((r) => ({
      ...r,
      run: { ...r.run, pipeline: 'payroll-cd', definitionId: '99' },
    }));
    const store = new MemoryDocumentStore();
    // Someone who can read both pipelines fills the cache.
    const everything = new FakeAdo({ records: [...records, ...other], timelines });
    await (
      await loadHubData({ api: fakeAdoApi(everything).api, store })
    ).persisted;
    assert.ok(readSnapshot(await store.getAll()).runs.has(1050));
    // A user without read permission on payroll-cd opens the hub next: warm, and without that run.
    const restricted = new FakeAdo({ records: [...records, ...other], timelines, hiddenDefinitions: [99] });
    const { api, rec } = fakeAdoApi(restricted);
    const { data } = await loadHubData({ api, store });
    assert.equal(rec.count(/attachments/), 0, 'served from the shared cache');
    assert.ok(rec.count(/build\/definitions\?/) === 1);
    assert.ok(!data.runs.some((e) => e.run.id === 1050));
    assert.ok(!data.records.some((r) => r.run.pipeline === 'payroll-cd'));
    assert.equal(data.records.length, records.length);
  });

  it('two users loading cold at the same time leave every run cached (chunk ids name their content)', async () => {
    const { records, timelines } = sampleData({ runs: 30 });
    const ado = new FakeAdo({ records, timelines });
    const store = new MemoryDocumentStore();
    const [a, b] = await Promise.all([
      loadHubData({ api: fakeAdoApi(ado).api, store }, { firstBatch: 3, batch: 7 }),
      loadHubData({ api: fakeAdoApi(ado).api, store }, { firstBatch: 5, batch: 11 }),
    ]);
    await Promise.all([a.persisted, b.persisted]);
    const snap = readSnapshot(await store.getAll());
    assert.deepEqual([...snap.runs.keys()].sort(), a.data.runs.map((e) => e.run.id).sort());
    assert.equal(snap.runs.size, 30);
    const warm = fakeAdoApi(ado);
    const { data } = await loadHubData({ api: warm.api, store });
    assert.equal(warm.rec.count(/attachments/), 0);
    assert.equal(data.records.length, records.length);
  });

  it('after a warm start reads only runs that completed since, and re-reads runs in progress', async () => {
    const { records, timelines } = sampleData({ runs: 10 });
    const store = new MemoryDocumentStore();
    const ado1 = new FakeAdo({ records, timelines, inProgress: [1042] });
    await (
      await loadHubData({ api: fakeAdoApi(ado1).api, store })
    ).persisted;
    assert.ok(!readSnapshot(await store.getAll()).runs.has(1042), 'a running run is never cached');

    const later = laterRun(records, '1041', 1043, 30 * HOUR);
    const ado2 = new FakeAdo({ records: [...records, ...later], timelines, inProgress: [1042] });
    const { api, rec } = fakeAdoApi(ado2);
    const result = await loadHubData({ api, store });
    await result.persisted;
    const lists = rec.log
      .filter((l) => /\/attachments\/multicloud-devsecops\.ledger\?/.test(l))
      .map((l) => /builds\/(\d+)\//.exec(l)![1])
      .sort();
    assert.deepEqual(lists, ['1042', '1043']);
    assert.equal(result.data.records.length, records.length + later.length);
    assert.ok(readSnapshot(await store.getAll()).runs.has(1043));
  });

  it('warm, more runs completed since than the newest page holds: lists the rest since the watermark', async () => {
    const { records, timelines } = sampleData({ runs: 10 });
    const store = new MemoryDocumentStore();
    const ado1 = new FakeAdo({ records, timelines });
    await (
      await loadHubData({ api: fakeAdoApi(ado1).api, store })
    ).persisted;
    const later = Array.from({ length: 30 }, (_, i) =>
      laterRun(records, '1041', 1043 + i, 30 * HOUR + i * 60_000).map((r) => ({ ...r, id: `${r.id}-${i}` })),
    ).flat();
    const ado2 = new FakeAdo({ records: [...records, ...later], timelines });
    const { api, rec } = fakeAdoApi(ado2);
    const result = await loadHubData({ api, store });
    await result.persisted;
    assert.ok(
      rec.log.some((l) => /statusFilter=completed&queryOrder=finishTimeDescending&minTime=/.test(l)),
      rec.log.join('\n'),
    );
    const read = new Set(
      rec.log
        .filter((l) => /\/attachments\/multicloud-devsecops\.ledger\?/.test(l))
        .map((l) => /builds\/(\d+)\//.exec(l)![1]),
    );
    assert.equal(read.size, 30, 'every new run read, no cached one again');
    assert.equal(result.data.records.length, records.length + later.length);
  });

  it('leaves a run it could not read out of the cache and the watermark, and reports it', async () => {
    const { records, timelines } = sampleData({ runs: 8 });
    const ado = new FakeAdo({ records, timelines });
    const store = new MemoryDocumentStore();
    const broken = fakeAdoApi(ado, {
      fail: (url) => (/builds\/1037\/attachments/.test(url) ? { status: 500, body: { message: 'boom' } } : undefined),
    });
    const first = await loadHubData({ api: broken.api, store });
    await first.persisted;
    assert.deepEqual(
      first.data.partial.map((p) => p.runId),
      [1037],
    );
    assert.match(first.data.partial[0].reason, /HTTP 500.*boom/);
    assert.equal(readSnapshot(await store.getAll()).watermark, undefined);

    const healed = fakeAdoApi(ado);
    const second = await loadHubData({ api: healed.api, store });
    assert.deepEqual(second.data.partial, []);
    assert.deepEqual(
      healed.rec.log.filter((l) => /\/attachments\/[^/]+\?/.test(l)).map((l) => /builds\/(\d+)\//.exec(l)![1]),
      ['1037'],
    );
    assert.equal(second.data.records.length, records.length);
  });

  it('caches an unparseable record as a problem instead of re-reading it forever', async () => {
    const { records, timelines } = sampleData({ runs: 3 });
    const bad = { ...hostileRecord(1041), schema: 'other/v2' } as unknown as LedgerRecord;
    const ado = new FakeAdo({ records: [...records, bad], timelines });
    const store = new MemoryDocumentStore();
    const first = await loadHubData({ api: fakeAdoApi(ado).api, store });
    await first.persisted;
    assert.equal(first.data.partial.length, 1);
    assert.match(first.data.partial[0].reason, /unknown schema/);
    assert.ok(readSnapshot(await store.getAll()).watermark);
  });

  it('hands back the newest runs first, batch by batch, caching each batch as it lands', async () => {
    const { records, timelines } = sampleData({ runs: 50 });
    const store = new MemoryDocumentStore();
    const partials: { runs: number[]; done: number; total: number; stageOrder: string[] }[] = [];
    const { api } = fakeAdoApi(new FakeAdo({ records, timelines }));
    const result = await loadHubData(
      { api, store },
      {
        firstBatch: 10,
        batch: 20,
        onPartial: (d, done, total) => {
          partials.push({ runs: d.runs.map((e) => e.run.id), done, total, stageOrder: d.stageOrder });
        },
      },
    );
    await result.persisted;
    assert.equal(partials.length, 2);
    for (const p of partials) assert.deepEqual([p.runs.length, p.total], [p.done, 50]);
    assert.ok(
      partials[0].done >= 10 && partials[0].done < 30 && partials[1].done >= 30 && partials[1].done < 50,
      JSON.stringify(partials.map((p) => p.done)),
    );
    assert.deepEqual(
      partials[0].runs.slice(0, 10),
      Array.from({ length: 10 }, (_, i) => 1042 - i),
      'newest first',
    );
    assert.deepEqual(partials[0].stageOrder, ['build', 'dev', 'staging', 'prod']);
    assert.equal(result.data.runs.length, 50);
    const snap = readSnapshot(await store.getAll());
    assert.equal(snap.runs.size, 50);
    assert.ok(snap.watermark);
    assert.deepEqual(snap.runs.get(1042)!.stageOrder, ['build', 'dev', 'staging', 'prod']);
  });

  it('reads what a running run waits on and places it before the environment it waits to enter', async () => {
    const { records, timelines, inProgress } = sampleData({ runs: 10, waiting: true });
    const { api, rec } = fakeAdoApi(new FakeAdo({ records, timelines, inProgress }));
    const { data } = await loadHubData({ api, store: new MemoryDocumentStore() });
    const running = data.runs.find((e) => e.run.id === WAITING_RUN)!;
    assert.equal(running.run.status, 'inProgress');
    assert.deepEqual(
      running.pending!.map((p) => [p.stage, p.kind, p.gate, p.waitingOn]),
      [['prod', 'approval', 'Approval', ['[shop]\\Release Managers']]],
    );
    assert.equal(rec.count(/pipelines\/approvals\?approvalIds=e0000000-0000-4000-8000-000000000141&/), 1);
    assert.equal(
      rec.count(/builds\/1043\/timeline/),
      1,
      'one timeline read gives the pending gates and the stage order',
    );
    // Completed runs' timelines are read only for the approvals of the versions the matrix shows.
    const shownRuns = new Set(
      buildMatrix(data.records).rows.flatMap((row) =>
        Object.values(row.cells).flatMap((c) => (c.current ? [c.current.run.buildId] : [])),
      ),
    );
    const completedTimelines = rec.log
      .filter((l) => /builds\/(?!1043)\d+\/timeline/.test(l))
      .map((l) => /builds\/(\d+)\//.exec(l)![1]);
    assert.ok(
      completedTimelines.every((id) => shownRuns.has(id)) &&
        new Set(completedTimelines).size === completedTimelines.length,
      `completed runs are asked for their timelines only for the approvals of what the matrix shows:\n${rec.log.join('\n')}`,
    );
    assert.deepEqual(data.stageOrder, ['build', 'dev', 'staging', 'prod']);
    const pending = pendingByEnvironment(data.runs, data.records, ['shop-dev', 'shop-staging', 'shop-prod']);
    assert.deepEqual([...pending.keys()], ['shop-prod']);
    assert.deepEqual(pending.get('shop-prod')![0].artifacts, { 'a:shop/web': '1.4.2' });
  });

  it('keeps the cache bounded, pinning what each matrix cell shows so old deployments stay visible', async () => {
    const sample = sampleData({ runs: 90 });
    const oldest = sample.records.find((r) => r.task === 'AcrPromote')!;
    // shop/legacy was promoted once, in the oldest run, and never again: still what runs there.
    const records = [
      ...sample.records,
      { ...oldest, id: 'legacy-1', artifact: { repository: 'shop/legacy', digest: 'sha256:1e9ac7', tags: ['0.9.0'] } },
    ];
    const ado = new FakeAdo({ records, timelines: sample.timelines });
    const store = new MemoryDocumentStore();
    const first = await loadHubData({ api: fakeAdoApi(ado).api, store }, { maxCachedRuns: 30 });
    await first.persisted;
    const docs = await store.getAll();
    const inChunks = docs.filter((d) => d.id.startsWith('chunk-')).reduce((n, d) => n + (d.runs?.length ?? 0), 0);
    assert.ok(inChunks > 0 && inChunks <= 30, `${inChunks} runs left in chunks`);
    const pinned = docs.find((d) => d.id === 'pinned')!;
    assert.ok(
      pinned.runs!.some((e) => e.records.some((r) => r.id === 'legacy-1')),
      'the old but current record is pinned',
    );

    const cells = (rs: LedgerRecord[]): Record<string, string | undefined> =>
      Object.fromEntries(
        buildMatrix(rs).rows.flatMap((row) =>
          Object.entries(row.cells).map(([env, c]) => [`${row.key}|${env}`, c.current?.id]),
        ),
      );
    const warm = fakeAdoApi(ado);
    const second = await loadHubData({ api: warm.api, store }, { maxCachedRuns: 30 });
    assert.equal(warm.rec.count(/attachments/), 0, 'a pruned run is not read again: the watermark covers it');
    assert.deepEqual(cells(second.data.records), cells(records), 'the matrix is unchanged by pruning');
    assert.ok(second.data.records.length < records.length, 'history is bounded');
  });

  it('finishes a load through 429s, honouring Retry-After', async () => {
    const { records, timelines } = sampleData({ runs: 6 });
    const ado = new FakeAdo({ records, timelines, throttle: { everyNth: 5, retryAfterSeconds: 0 } });
    const { api } = fakeAdoApi(ado);
    const result = await loadHubData({ api, store: new MemoryDocumentStore() });
    assert.equal(result.data.records.length, records.length);
    assert.ok(api.rest.throttled >= 5, `throttled ${api.rest.throttled} times`);
  });
});

describe('hub data: which runs, and whose', () => {
  it('600 newer unrelated runs do not hide promotions on a cold load', async () => {
    const { records, timelines } = sampleData({ runs: 20 });
    const ado = new FakeAdo({ records, timelines, unrelatedRuns: 600 });
    const { api, rec } = fakeAdoApi(ado);
    const { data } = await loadHubData({ api, store: new MemoryDocumentStore() });
    assert.equal(data.records.length, records.length);
    assert.equal(data.runs.length, 20);
    assert.equal(rec.count(/build\/builds\?/), 2, 'the newest completed tagged runs (all 20), those in progress');
    assert.equal(rec.count(/builds\/\d+\/attachments\/multicloud-devsecops\.ledger\?/), 20, 'no unrelated run is read');
    assert.deepEqual(buildMatrix(data.records).environments, ['shop-staging', 'shop-prod']);
  });

  it('takes identity from the Build API and flags a record that claims another run from a PR build', async () => {
    const { records, timelines, extraBuilds } = sampleData({ runs: 4, forged: true, newest: ['success', 'success'] });
    const ado = new FakeAdo({ records, timelines, extraBuilds });
    const { data } = await loadHubData({ api: fakeAdoApi(ado).api, store: new MemoryDocumentStore() });
    const forged = data.records.find((r) => r.run.buildId === '2001')!;
    assert.equal(extraBuilds[0].records[0].run.buildId, '1042', 'the record claims run 1042');
    assert.equal(forged.run.buildNumber, '20261125.77');
    assert.equal(forged.run.requestedFor, 'Mallory Moriarty');
    assert.equal(forged.run.pipeline, 'shop-pr');
    assert.match(
      forged.flag!,
      /claims run id 1042, run \d+\.\d, pipeline shop-cd, definition 17, requester .*attached to run 20261125\.77/,
    );
    assert.match(forged.flag!, /pull-request validation build/);
    assert.deepEqual(
      data.records.filter((r) => r.flag).map((r) => r.id),
      [forged.id],
      'every genuine record passes',
    );
    const prod = buildMatrix(data.records).rows[0].cells['shop-prod'];
    assert.equal(prod.current!.run.buildId, '1042');
  });

  it('flags a record whose run has no deployment record for its environment', async () => {
    const { records, timelines } = sampleData({ runs: 2, newest: ['success', 'success'] });
    // Run 1500 (a manual run of the same pipeline) carries a staging record but never deployed to shop-staging.
    const ado = new FakeAdo({
      records,
      timelines,
      extraBuilds: [
        {
          id: 1500,
          buildNumber: 'manual.1',
          definition: { id: 17, name: 'shop-cd' },
          requestedFor: 'Ada Lovelace',
          reason: 'manual',
          sourceBranch: 'refs/heads/main',
          records: [
            {
              ...records[0],
              id: 'nodeploy',
              run: { ...records[0].run, buildId: '1500', buildNumber: 'manual.1', requestedFor: 'Ada Lovelace' },
            },
          ],
        },
      ],
    });
    const { data } = await loadHubData({ api: fakeAdoApi(ado).api, store: new MemoryDocumentStore() });
    assert.match(
      data.records.find((r) => r.id === 'nodeploy')!.flag!,
      /no deployment record for environment shop-staging/,
    );
  });
});

describe('hub data: cache documents', () => {
  const entry = (id: number): RunEntry => ({ run: { id, buildNumber: String(id), status: 'completed' }, records: [] });
  const runs = (from: number, n: number): RunEntry[] => Array.from({ length: n }, (_, i) => entry(from + i));
  const chunk = (from: number, n: number): CacheDoc => ({
    id: `chunk-${String(from).padStart(10, '0')}-${String(from + n - 1).padStart(10, '0')}-${n}`,
    version: CACHE_VERSION,
    runs: runs(from, n),
  });
  const ids = (plan: { writes: CacheDoc[]; deletes: string[] }): [string[], string[]] => [
    plan.writes.map((d) => d.id),
    plan.deletes,
  ];
  const cases: [string, CacheDoc[], RunEntry[], [string[], string[]]][] = [
    [
      'packs a cold load into chunks named by their content',
      [],
      runs(1, 60),
      [[chunk(1, 25).id, chunk(26, 25).id, chunk(51, 10).id], []],
    ],
    [
      'fills the newest chunk (under its new name, the old one deleted) before starting a new one',
      [chunk(1, 25), chunk(26, 10)],
      runs(36, 20),
      [[chunk(26, 25).id, chunk(51, 5).id], [chunk(26, 10).id]],
    ],
    ['writes nothing when nothing changed', [chunk(1, 3)], runs(1, 3), [[], []]],
    [
      'ignores documents of another cache version',
      [{ ...chunk(1, 3), version: 1 }],
      runs(1, 1),
      [[chunk(1, 1).id], []],
    ],
  ];
  for (const [name, docs, added, expected] of cases) {
    it(name, () => assert.deepEqual(ids(planWrites(readSnapshot(docs), added)), expected));
  }

  it('writes the index only when its watermark, runs or head changed', () => {
    const docs = [chunk(1, 3)];
    const index = planIndex(readSnapshot(docs), 'w1', runs(3, 1))!;
    assert.deepEqual(index.runIds, [1, 2, 3]);
    assert.equal(planIndex(readSnapshot([...docs, index]), 'w1', runs(3, 1)), undefined);
    assert.equal(planIndex(readSnapshot([...docs, index]), 'w2', runs(3, 1))?.watermark, 'w2');
    assert.ok(planIndex(readSnapshot([...docs, index]), 'w1', runs(2, 1)));
  });
});
