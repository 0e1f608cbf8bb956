/**
 * The hub's data layer alone (no browser): loadHubData against the fake Azure DevOps host with
 * 500 release runs, 600 unrelated runs and 50 ms per request, cold then warm. Prints the time to
 * the first data the matrix renders from, the requests before it, and the critical path (each
 * request's start and end), so the time a load spends waiting on the network, and where, is seen
 * apart from script and layout time in Chromium (bench/hub-load.ts).
 * `node out/bench/hub-data.js` → bench/results/hub-data.json.
 */
import { performance } from 'node:perf_hooks';
import { loadHubData } from '../hub/src/data/ledger-loader';
import { MemoryDocumentStore } from '../hub/src/data/run-cache';
import { FetchLike, RestClient } from '../hub/src/data/rest-client';
import { FakeAdo } from '../devkit/ado-host/fake-ado';
import { COLLECTION } from '../devkit/ado-host/fake-fetch';
import { sampleData } from '../devkit/ado-host/sample-data';
import { writeResult } from './results';

const RUNS = Number(process.env.HUB_BENCH_RUNS ?? 500);
const LATENCY_MS = Number(process.env.HUB_BENCH_LATENCY_MS ?? 50);
const UNRELATED = Number(process.env.HUB_BENCH_UNRELATED ?? 600);

interface Trace {
  line: string;
  startMs: number;
  endMs: number;
  bytes: number;
}

function tracedApi(ado: FakeAdo, t0: () => number, traces: Trace[]) {
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const path = u.pathname.slice('/contoso/'.length);
    const startMs = t0();
    await new Promise((r) => setTimeout(r, LATENCY_MS));
    const a = ado.handle(init.method, path, u.searchParams, init.body ?? '');
    const line = `${init.method} ${path.replace(/^shop\/_apis\//, '')}${u.search.replace(/api-version=[^&]+&?/, '')}`;
    traces.push({ line: line.slice(0, 140), startMs, endMs: t0(), bytes: a.body.length });
    const headers = new Map(Object.entries(a.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return {
      ok: a.status >= 200 && a.status < 300,
      status: a.status,
      headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null },
      text: async () => a.body,
    };
  };
  return { rest: new RestClient({ fetch }), collectionUrl: COLLECTION, project: 'shop' };
}

async function measure(ado: FakeAdo, store: MemoryDocumentStore) {
  const traces: Trace[] = [];
  const start = performance.now();
  const t0 = (): number => Math.round(performance.now() - start);
  let firstMs: number | undefined;
  let firstRequests = 0;
  const api = tracedApi(ado, t0, traces);
  const result = await loadHubData(
    { api, store },
    {
      onPartial: () => {
        if (firstMs === undefined) [firstMs, firstRequests] = [t0(), traces.length];
      },
    },
  );
  if (firstMs === undefined) [firstMs, firstRequests] = [t0(), traces.length];
  const allMs = t0();
  await result.persisted;
  return {
    firstDataMs: firstMs,
    requestsBeforeFirstData: firstRequests,
    allRunsMs: allMs,
    requests: traces.length,
    records: result.data.records.length,
    criticalPath: traces.filter((t) => t.startMs <= firstMs!).map((t) => `${t.startMs}-${t.endMs} ms ${t.line}`),
  };
}

async function main(): Promise<void> {
  const data = sampleData({ runs: RUNS });
  const ado = new FakeAdo({ records: data.records, timelines: data.timelines, unrelatedRuns: UNRELATED });
  const store = new MemoryDocumentStore();
  const cold = await measure(ado, store);
  const warm = await measure(ado, store);
  const result = { runs: RUNS, unrelatedRuns: UNRELATED, latencyMs: LATENCY_MS, cold, warm };
  console.log(JSON.stringify(result, null, 2));
  writeResult('hub-data', result);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
