import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpClient } from '../../tasks/common/http';
import { nodeFetch } from '../../tasks/common/registry/node-fetch';

/** The registry's fetch on node:http answers what Node's fetch answers for the same exchanges. */
describe('registry: nodeFetch (node:http) against Node fetch', () => {
  let server: http.Server;
  let other: http.Server;
  let base = '';
  let otherBase = '';
  const seen: { url: string; method: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  let failures = 0;

  before(async () => {
    const handler =
      (name: string) =>
      (req: http.IncomingMessage, res: http.ServerResponse): void => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString('utf8')));
        req.on('end', () => {
          seen.push({ url: `${name}${req.url}`, method: req.method ?? '', headers: req.headers, body });
          if (req.url === '/json') {
            res.writeHead(200, { 'content-type': 'application/json', 'docker-content-digest': 'sha256:ab' });
            res.end('{"token":"t1","expires_in":60}');
          } else if (req.url === '/redirect-away') {
            res.writeHead(307, { location: `${otherBase}/landed` });
            res.end();
          } else if (req.url === '/redirect-here') {
            res.writeHead(302, { location: '/json' });
            res.end();
          } else if (req.url === '/flaky' && failures++ < 1) {
            res.writeHead(503, { 'retry-after': '0' });
            res.end('busy');
          } else if (req.url === '/echo') {
            res.writeHead(201, { location: '/v2/x/blobs/uploads/1', 'x-multi': ['a', 'b'] });
            res.end(body);
          } else {
            res.writeHead(404, { 'content-type': 'text/plain' });
            res.end(req.method === 'HEAD' ? undefined : 'not here');
          }
        });
      };
    server = http.createServer(handler('a'));
    other = http.createServer(handler('b'));
    await Promise.all([
      new Promise<void>((r) => server.listen(0, '127.0.0.1', r)),
      new Promise<void>((r) => other.listen(0, '127.0.0.1', r)),
    ]);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    other.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => other.close(r))]);
  });

  it('reads status, headers and JSON as fetch does', async () => {
    for (const f of [fetch, nodeFetch]) {
      const res = await f(`${base}/json`, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 200);
      assert.equal(res.ok, true);
      assert.equal(res.headers.get('Docker-Content-Digest'), 'sha256:ab');
      assert.equal(res.headers.get('absent'), null);
      assert.deepEqual(await res.json(), { token: 't1', expires_in: 60 });
    }
  });

  it('sends string and URLSearchParams bodies with their length; joins repeated headers', async () => {
    const form = new URLSearchParams({ grant_type: 'refresh_token', scope: 'repository:a:pull' });
    for (const f of [fetch, nodeFetch]) {
      const res = await f(`${base}/echo`, { method: 'POST', body: form, headers: { 'content-type': 'x/y' } });
      assert.equal(res.status, 201);
      assert.equal(await res.text(), form.toString());
      assert.equal(res.headers.get('x-multi'), 'a, b');
    }
    const last = seen.at(-1)!;
    assert.equal(last.headers['content-length'], String(form.toString().length));
    assert.equal(last.headers['accept-encoding'], 'identity');
  });

  it('HEAD and 404: no body to read; cancel frees the socket', async () => {
    const head = await nodeFetch(`${base}/missing`, { method: 'HEAD' });
    assert.equal(head.status, 404);
    assert.equal(head.body, null);
    const get = await nodeFetch(`${base}/missing`);
    assert.equal(get.ok, false);
    await get.body?.cancel();
    assert.equal((await nodeFetch(`${base}/missing`)).status, 404);
  });

  it('follows redirects, and drops the authorization header when the origin changes', async () => {
    seen.length = 0;
    const same = await nodeFetch(`${base}/redirect-here`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(same.status, 200);
    await same.body?.cancel();
    assert.equal(seen.at(-1)!.url, 'a/json');
    assert.equal(seen.at(-1)!.headers.authorization, 'Bearer s3cret');
    const away = await nodeFetch(`${base}/redirect-away`, { headers: { authorization: 'Bearer s3cret' } });
    assert.equal(away.status, 404);
    await away.body?.cancel();
    assert.equal(seen.at(-1)!.url, 'b/landed');
    assert.equal(seen.at(-1)!.headers.authorization, undefined);
  });

  it('works under HttpClient: a 503 is retried after Retry-After', async () => {
    const client = new HttpClient({
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
      fetchImpl: nodeFetch,
    });
    failures = 0;
    const res = await client.fetch(`${base}/flaky`);
    assert.equal(res.status, 404);
    assert.equal(failures, 2);
  });

  it('a refused connection rejects with the network code HttpClient retries on', async () => {
    await assert.rejects(nodeFetch('http://127.0.0.1:1/'), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ECONNREFUSED');
      return true;
    });
  });
});
