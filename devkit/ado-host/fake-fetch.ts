/** In-process transports for data-layer tests: the preview's fake ADO, or scripted answers. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FetchLike, RestClient } from '../../hub/src/data/rest-client';
import { ProjectApi } from '../../hub/src/data/ado-api';
import { FakeAdo } from './fake-ado';
import { FIXTURES } from './sample-data';

export const COLLECTION = 'https://dev.azure.com/contoso/';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** A recorded response body in devkit/ado-host/fixtures/rest. */
  file?: string;
}

function response(a: Answer): Awaited<ReturnType<FetchLike>> {
  const status = a.status ?? 200;
  const headers = new Map(Object.entries(a.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (n: string) => headers.get(n.toLowerCase()) ?? null },
    text: async () => (typeof a.body === 'string' ? a.body : a.body === undefined ? '' : JSON.stringify(a.body)),
  };
}

/** Every request the data layer made, as "METHOD path?query" below the collection. */
export interface Recorder {
  log: string[];
  count(re: RegExp): number;
}

function recorder(): Recorder {
  const log: string[] = [];
  return { log, count: (re) => log.filter((l) => re.test(l)).length };
}

export function fakeAdoApi(
  ado: FakeAdo,
  options: { concurrency?: number; fail?: (url: string) => Answer | undefined } = {},
): { api: ProjectApi; rec: Recorder } {
  const rec = recorder();
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    rec.log.push(`${init.method} ${u.pathname.slice('/contoso/'.length)}${u.search}`);
    const failure = options.fail?.(url);
    if (failure) return response(failure);
    const a = ado.handle(init.method, u.pathname.slice('/contoso/'.length), u.searchParams, init.body ?? '');
    return response({ status: a.status, headers: a.headers, body: a.body });
  };
  const rest = new RestClient({ fetch, concurrency: options.concurrency ?? 6, sleep: async () => undefined });
  return { api: { rest, collectionUrl: COLLECTION, project: 'shop' }, rec };
}

/** Answers from recorded REST responses (devkit/ado-host/fixtures/rest), by path pattern. */
export function recordedApi(routes: [RegExp, Answer | string][]): { api: ProjectApi; rec: Recorder } {
  const rec = recorder();
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    const line = `${init.method} ${u.pathname.slice('/contoso/'.length)}${u.search}`;
    rec.log.push(line);
    const hit = routes.find(([re]) => re.test(line));
    if (!hit) return response({ status: 404, body: { message: `no recorded answer for ${line}` } });
    const a: Answer = typeof hit[1] === 'string' ? { file: hit[1] } : hit[1];
    return response(a.file ? { ...a, body: fs.readFileSync(path.join(FIXTURES, 'rest', a.file), 'utf8') } : a);
  };
  return {
    api: { rest: new RestClient({ fetch, sleep: async () => undefined }), collectionUrl: COLLECTION, project: 'shop' },
    rec,
  };
}
