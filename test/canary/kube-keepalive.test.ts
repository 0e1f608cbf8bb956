import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { CoreV1Api, RequestContext } from '@kubernetes/client-node';
import { TaskKubeConfig } from '../../tasks/common/connections/kube-config';
import { issueCert } from '../../devkit/support/test-ca';

/**
 * client-node 1.x makes a new https.Agent per API call; TaskKubeConfig keeps one kept-alive agent per set of
 * TLS options, so a run's calls share a connection (one TLS handshake instead of one per call).
 */
describe('TaskKubeConfig: one kept-alive connection per cluster', function () {
  this.timeout(30_000);
  let server: https.Server;
  let handshakes = 0;
  const tokens: (string | undefined)[] = [];
  let url: string;
  const tls = issueCert();

  before(async () => {
    server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      tokens.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
    });
    server.on('secureConnection', () => (handshakes += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function config(server: string, extra: { proxyUrl?: string } = {}): TaskKubeConfig {
    const kc = new TaskKubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, caData: Buffer.from(tls.ca).toString('base64'), ...extra }],
      users: [{ name: 'u', token: 'sa-token' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return kc;
  }

  it('five API calls in a row: one TLS handshake, the token on every call', async () => {
    handshakes = 0;
    const api = config(url).makeApiClient(CoreV1Api);
    for (let i = 0; i < 5; i++) assert.deepEqual((await api.listNamespace()).items, []);
    assert.equal(handshakes, 1);
    assert.deepEqual(tokens.slice(-5), Array(5).fill('Bearer sa-token'));
  });

  it('the same TLS options share an agent; another CA gets its own; proxied clusters keep client-node agents', async () => {
    const kc = config(url);
    const agentOf = async (k: TaskKubeConfig): Promise<unknown> => {
      const ctx = new RequestContext(`${url}/api/v1/namespaces`, 'GET' as never);
      await k.applySecurityAuthentication(ctx);
      return ctx.getAgent();
    };
    const first = await agentOf(kc);
    assert.ok(first instanceof https.Agent && first.options.keepAlive, 'a kept-alive https.Agent');
    assert.equal(await agentOf(kc), first);
    const other = new TaskKubeConfig();
    other.loadFromOptions({
      clusters: [
        { name: 'c', server: url, caData: Buffer.from(issueCert({ names: ['other.ca'] }).cert).toString('base64') },
      ],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    assert.notEqual(await agentOf(other), first);
    const proxied = config(url, { proxyUrl: 'http://127.0.0.1:9' });
    const p1 = await agentOf(proxied);
    assert.ok((p1 as object).constructor !== https.Agent, 'client-node proxy agent left in place');
    assert.notEqual(await agentOf(proxied), p1);
  });
});
