import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { COMPARTMENT, KEY, KvWorld, VAULT, startWorld } from '../../devkit/stand-ins/kv-world';
import { ConnectProxy, startConnectProxy } from '../../devkit/net/connect-proxy';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { issueCert } from '../../devkit/support/test-ca';
import { Scripted, ScriptedFront, firstOnly, startScriptedFront } from '../../devkit/net/scripted-front';

/**
 * KeyVaultToOci with one scripted fault each, reproducing the two bugs the seeded fault-proxy runs found
 * (both fixed): each test fails again if its fix is undone.
 */
describe('KeyVaultToOci lost answers, deterministic', function () {
  this.timeout(60_000);
  let world: KvWorld;
  const closers: (ConnectProxy | ScriptedFront)[] = [];
  beforeEach(async () => {
    world = await startWorld();
    world.kv.set('api-key', 'key-new');
    world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name: 'api-key', content: 'key-old' });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c.close();
    await world.close();
  });

  async function run(
    kvScript: (req: http.IncomingMessage) => Scripted,
    ociScript: (req: http.IncomingMessage) => Scripted,
  ) {
    const kv = await startScriptedFront({
      target: `https://127.0.0.1:${world.kv.port}`,
      tls: true,
      preserveHost: true,
      cert: issueCert({ names: ['*.vault.azure.net', 'localhost', '127.0.0.1'] }),
      script: kvScript,
    });
    const oci = await startScriptedFront({ target: world.oci.url, tls: true, preserveHost: true, script: ociScript });
    const connect = await startConnectProxy({ [world.kv.hostname]: kv.port });
    closers.push(kv, oci, connect);
    const result = await runTaskLikeAgent({
      taskDir: packagedTaskDir('KeyVaultToOci'),
      inputs: { ...world.inputs, secrets: 'api-key' },
      endpoints: { ...world.endpoints, oci: ociEndpoint(oci.url) },
      env: { HTTPS_PROXY: connect.url, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
      timeoutMs: 45_000,
    });
    return { result, kv, oci };
  }

  const versions = (): string[] =>
    world.oci.secretByName(VAULT, 'api-key')!.versions.map((v) => Buffer.from(v.content, 'base64').toString('utf8'));

  it('control: without faults, one new version', async () => {
    const { result } = await run(
      () => undefined,
      () => undefined,
    );
    assert.equal(result.code, 0, result.resultMessage);
    assert.notEqual(result.result, 'Failed', result.resultMessage);
    assert.deepEqual(versions(), ['key-old', 'key-new']);
  });

  // UpdateSecret is not idempotent (no opc-retry-token): after a lost answer the task looks before writing again.
  it('UpdateSecret answer lost after the vault applied it → still exactly one new version', async () => {
    const { result, oci } = await run(
      () => undefined,
      firstOnly('lose', (req) => req.method === 'PUT' && /\/20180608\/secrets\//.test(req.url ?? '')),
    );
    assert.equal(oci.faulted.length, 1);
    assert.equal(result.code, 0, result.resultMessage);
    assert.notEqual(result.result, 'Failed', result.resultMessage);
    assert.deepEqual(versions(), ['key-old', 'key-new']);
  });

  // @azure/keyvault-secrets retries 429 only with Retry-After; the source adds a policy for bare ones.
  it('Key Vault answers the first call with 429 and no Retry-After → retried, synced', async () => {
    const { result, kv } = await run(
      firstOnly('throttle', (req) => req.method === 'GET' && /\/secrets/.test(req.url ?? '')),
      () => undefined,
    );
    assert.equal(kv.faulted.length, 1);
    assert.equal(result.code, 0, result.resultMessage);
    assert.notEqual(result.result, 'Failed', result.resultMessage);
    assert.deepEqual(versions(), ['key-old', 'key-new']);
  });
});
