import * as assert from 'node:assert/strict';
import { FetchLike, RestClient, RestError } from '../../hub/src/data/rest-client';

type Reply = { status: number; headers?: Record<string, string>; body?: string } | Error;

function scripted(replies: Reply[], log: { at: number; url: string }[] = []): FetchLike {
  return async (url) => {
    log.push({ at: Date.now(), url });
    await new Promise((r) => setTimeout(r, 2));
    const reply = replies.length > 1 ? replies.shift()! : replies[0];
    if (reply instanceof Error) throw reply;
    const headers = new Map(Object.entries(reply.headers ?? {}));
    return {
      ok: reply.status < 300,
      status: reply.status,
      headers: { get: (n) => headers.get(n.toLowerCase()) ?? null },
      text: async () => reply.body ?? '{}',
    };
  };
}

describe('hub data: REST client back-off and concurrency', () => {
  it('waits Retry-After seconds after a 429 and then succeeds', async () => {
    const sleeps: number[] = [];
    let now = 1_000_000;
    const rest = new RestClient({
      fetch: scripted([
        { status: 429, headers: { 'retry-after': '3' } },
        { status: 200, body: '{"ok":1}' },
      ]),
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      now: () => now,
    });
    const res = await rest.getJson<{ ok: number }>('https://x/a');
    assert.deepEqual(res.body, { ok: 1 });
    assert.deepEqual(sleeps, [3000]);
    assert.deepEqual([rest.requests, rest.throttled], [2, 1]);
  });

  it('reads Retry-After as an HTTP date too, and caps it', async () => {
    const rest = new RestClient({
      fetch: scripted([{ status: 200 }]),
      now: () => Date.parse('2026-11-20T10:00:00Z'),
      maxWaitMs: 60_000,
    });
    assert.equal(rest.backoff(1, 'Fri, 20 Nov 2026 10:00:05 GMT'), 5000);
    assert.equal(rest.backoff(1, '3600'), 60_000);
    const jitter = rest.backoff(3, null);
    assert.ok(jitter >= 500 && jitter <= 1000, `exponential with jitter: ${jitter}`);
  });

  it('whenSent resolves once every request asked for is handed to fetch, tokens and slots awaited', async () => {
    const handed: string[] = [];
    const tokens: (() => void)[] = [];
    const rest = new RestClient({
      fetch: (url, init) => {
        handed.push(url);
        return scripted([{ status: 200 }])(url, init);
      },
      // Inside Azure DevOps every request first asks the host frame for a token.
      authorization: () => new Promise<string>((resolve) => tokens.push(() => resolve('Bearer t'))),
      concurrency: 2,
    });
    await rest.whenSent(); // nothing asked for: at once
    const reads = ['a', 'b', 'c'].map((k) => rest.getJson(`https://x/${k}`));
    let sent = false;
    void rest.whenSent().then(() => (sent = true));
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));
    await settle();
    assert.deepEqual([handed.length, sent], [0, false], 'waiting for tokens');
    tokens.shift()!();
    tokens.shift()!();
    await settle();
    assert.deepEqual([handed.length, sent], [2, false], 'the third waits for a slot, then a token');
    await settle();
    tokens.shift()!();
    await settle();
    assert.deepEqual([handed.length, sent], [3, true]);
    await Promise.all(reads);
    // A request that fails before it is sent (no token) does not hold it forever.
    const failing = new RestClient({
      fetch: scripted([{ status: 200 }]),
      authorization: () => Promise.reject(new Error('x')),
    });
    await assert.rejects(failing.getJson('https://x/a'));
    await failing.whenSent();
  });

  it('one 429 pauses every request, not only the throttled one', async () => {
    const log: { at: number; url: string }[] = [];
    const replies: Record<string, Reply[]> = {
      a: [{ status: 429, headers: { 'retry-after': '0.2' } }, { status: 200 }],
    };
    const fetch: FetchLike = (url, init) => scripted(replies[url.slice(-1)] ?? [{ status: 200 }], log)(url, init);
    const rest = new RestClient({ fetch, concurrency: 2 });
    const t0 = Date.now();
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => rest.getJson(`https://x/${k}`)));
    const throttledAt = log.findIndex((l) => l.url.endsWith('/a'));
    const after = log.filter((l, i) => i > throttledAt && !l.url.endsWith('/b'));
    assert.ok(after.length >= 3, JSON.stringify(log));
    for (const l of after)
      assert.ok(l.at - t0 >= 190, `request ${l.url} went out ${l.at - t0} ms after start, inside the pause`);
  });

  it('retries 5xx and resets with back-off, but not 4xx', async () => {
    const sleeps: number[] = [];
    const ok = new RestClient({
      fetch: scripted([new TypeError('fetch failed'), { status: 503 }, { status: 200, body: '"fine"' }]),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    assert.equal((await ok.getJson<string>('https://x/a')).body, 'fine');
    assert.equal(sleeps.length, 2);
    const notFound = new RestClient({
      fetch: scripted([{ status: 404, body: '{"message":"The requested build 7 could not be found."}' }]),
      sleep: async () => undefined,
    });
    await assert.rejects(
      notFound.getJson('https://x/builds/7?api-version=7.1'),
      (err: unknown) =>
        err instanceof RestError &&
        err.status === 404 &&
        /could not be found/.test(err.message) &&
        !/api-version/.test(err.message),
    );
    assert.equal(notFound.requests, 1);
  });

  it('gives up after maxAttempts with the last status', async () => {
    const rest = new RestClient({ fetch: scripted([{ status: 500 }]), sleep: async () => undefined, maxAttempts: 3 });
    await assert.rejects(rest.getText('https://x/a'), (err: unknown) => err instanceof RestError && err.status === 500);
    assert.equal(rest.requests, 3);
  });

  it('never has more than `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let max = 0;
    const fetch: FetchLike = async () => {
      max = Math.max(max, ++inFlight);
      await new Promise((r) => setTimeout(r, 3));
      inFlight--;
      return { ok: true, status: 200, headers: { get: () => null }, text: async () => '{}' };
    };
    const rest = new RestClient({ fetch, concurrency: 4 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => rest.getJson(`https://x/${i}`)));
    assert.equal(max, 4);
    assert.equal(rest.requests, 30);
  });
});
