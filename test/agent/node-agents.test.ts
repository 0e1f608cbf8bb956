import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { AgentNetwork, DIRECT } from '../../tasks/common/network/agent-network';
import { agentFor } from '../../tasks/common/network/node-agents';

/**
 * One Node agent per origin for every task (AcrPromote's blob streams, the Azure SDK pipeline, the OCI
 * SDK): its keep-alive sockets and TLS sessions are reused instead of a new agent per request.
 */
describe('network: Node agents per origin (node-agents.ts)', () => {
  const proxied = (): AgentNetwork => ({
    proxy: { url: new URL('http://proxy.corp:8080'), bypass: [/internal\.corp/i] },
    skipCertValidation: false,
  });

  it('no proxy or certificate settings: Node’s default agent (undefined)', () => {
    assert.equal(agentFor(DIRECT, 'https://myacr.azurecr.io/v2/'), undefined);
  });

  it('one agent per origin, whatever the path; another origin or scheme gets its own', () => {
    const net = proxied();
    const a = agentFor(net, 'https://myacr.azurecr.io/v2/app/blobs/sha256:1');
    assert.ok(a instanceof HttpsProxyAgent);
    assert.equal(agentFor(net, new URL('https://myacr.azurecr.io/v2/app/manifests/v1')), a);
    const other = agentFor(net, 'https://prodacr.azurecr.io/v2/');
    assert.ok(other instanceof HttpsProxyAgent);
    assert.notEqual(other, a);
    assert.ok(agentFor(net, 'http://myacr.azurecr.io/v2/') instanceof HttpProxyAgent);
  });

  it('a bypassed origin goes direct (an https agent with the settings’ TLS options), cached as well', () => {
    const net = { ...proxied(), ca: ['-----BEGIN CERTIFICATE-----'] };
    const direct = agentFor(net, 'https://registry.internal.corp/v2/');
    assert.ok(direct instanceof https.Agent && !(direct instanceof HttpsProxyAgent));
    assert.deepEqual(direct.options.ca, net.ca);
    assert.equal(agentFor(net, 'https://registry.internal.corp/v2/x'), direct);
    assert.equal(agentFor(net, 'http://registry.internal.corp/v2/'), undefined, 'plain HTTP direct: Node default');
  });

  it('separate settings never share agents', () => {
    const url = 'https://myacr.azurecr.io/v2/';
    assert.notEqual(agentFor(proxied(), url), agentFor(proxied(), url));
  });
});
