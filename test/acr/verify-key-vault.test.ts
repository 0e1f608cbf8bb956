import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { EntraEmulator, spnConnection, startEntra } from '../../devkit/emulators/entra';
import { KeyVaultEmulator, startKeyVault } from '../../devkit/emulators/keyvault';
import { ConnectProxy, startConnectProxy } from '../../devkit/net/connect-proxy';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { keyId } from '../../tasks/AcrPromote/verify/cosign-key';
import { InProcessRun, runAcrPromote } from './support/run-in-process';
import { CosignKey, cosignKeyPair, cosignSign } from './support/supply-chain';

const CLIENT_ID = '3b9d6f1e-7a2c-4e5d-8f90-a1b2c3d4e5f6';
const CLIENT_SECRET = 'acr-verify-spn~Secret.77';
const VAULT = 'kv-sign';

describe('AcrPromote supply-chain gate: cosign key read from Azure Key Vault through the AzureRM connection', function () {
  this.timeout(120_000);
  let entra: EntraEmulator;
  let kv: KeyVaultEmulator;
  let proxy: ConnectProxy;
  let layout: OciLayout;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let dstProbe: RegistryProbe;
  let endpoints: Record<string, Endpoint>;
  let key: CosignKey;
  let image: Descriptor;
  let image384: Descriptor;
  let cosignVersion: string;

  before(async () => {
    entra = await startEntra();
    entra.register({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    kv = await startKeyVault({ entra, vaultName: VAULT });
    proxy = await startConnectProxy({ [kv.hostname]: kv.port });
    [src, dst] = await Promise.all([startLocalRegistry({ name: 'kvsrc' }), startLocalRegistry({ name: 'kvdst' })]);
    dstProbe = new RegistryProbe(dst);
    key = cosignKeyPair();
    // The vault holds public halves only; the private key stays with the "build" that signed.
    cosignVersion = kv.setKey('cosign', createPublicKey(key.privateKey)).version;
    kv.setKey('other', createPublicKey(cosignKeyPair().privateKey));
    kv.setKey('disabled', createPublicKey(key.privateKey), { enabled: false });
    kv.setKey('expired', createPublicKey(key.privateKey), { expiresOn: Math.floor(Date.now() / 1000) - 3600 });
    kv.setKey('signonly', createPublicKey(key.privateKey), { keyOps: ['sign'] });
    kv.setKey('encrypt', generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, {
      keyOps: ['encrypt', 'decrypt'],
    });
    layout = new OciLayout(tempDir('kvlayout'));
    image = layout.image({ layerSizes: [30_000] });
    layout.tag('v1', image);
    layout.tag('sig', cosignSign(layout, image, key));
    await skopeoSeed(layout.dir, 'v1', src, 'sc/app:v1');
    await skopeoSeed(layout.dir, 'sig', src, `sc/app:${image.digest.replace(':', '-')}.sig`);
    // A P-384 HSM key, signed as cosign's Azure KMS signer does with it: ES384 over SHA-384, DER-encoded.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    kv.setKey('hsm-p384', p384.publicKey, { hsm: true });
    image384 = layout.image({ layerSizes: [31_000] });
    layout.tag('v384', image384);
    layout.tag(
      'sig384',
      cosignSign(layout, image384, { privateKey: p384.privateKey, publicPem: '' }, { hash: 'sha384' }),
    );
    await skopeoSeed(layout.dir, 'v384', src, 'sc/hsm:v1');
    await skopeoSeed(layout.dir, 'sig384', src, `sc/hsm:${image384.digest.replace(':', '-')}.sig`);
    endpoints = {
      src: registryEndpoint(src, READER),
      dst: registryEndpoint(dst, ADMIN),
      azure: spnConnection(entra, CLIENT_ID, CLIENT_SECRET, { data: { AzureKeyVaultDnsSuffix: 'vault.azure.net' } }),
    };
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await proxy?.close();
    await Promise.all([src?.stop(), dst?.stop(), kv?.close(), entra?.close()]);
  });

  const inputs = (target: string, vaultKey: string): Record<string, string> => ({
    sourceImage: `${src.host}/sc/app:v1`,
    targetRegistry: dst.host,
    targetRepository: `prod/${target}`,
    sourceRegistryConnection: 'src',
    targetRegistryConnection: 'dst',
    azureSubscription: 'azure',
    verifySignature: 'cosignKey',
    cosignKeyVaultKey: vaultKey,
  });

  /** In process, with the Azure SDK reaching the vault's real host name through the CONNECT proxy. */
  const run = async (i: Record<string, string>): Promise<InProcessRun> => {
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = proxy.url;
    try {
      return await runAcrPromote(i, endpoints);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  };

  /** Failed with a message matching `reason`; not one blob or tag more in the target. */
  const failsUntouched = async (i: Record<string, string>, reason: RegExp): Promise<InProcessRun> => {
    const blobs = dstProbe.storedBlobs().length;
    const r = await run(i);
    assert.equal(r.host.result?.result, 'Failed', r.host.result?.message);
    assert.match(r.host.result.message, reason);
    assert.equal(dstProbe.storedBlobs().length, blobs, 'no blob reached the target');
    assert.deepEqual(dstProbe.tags(i.targetRepository), [], 'no tag in the target');
    assert.ok(!r.host.lines.some((l) => l.includes(CLIENT_SECRET)), 'the connection secret is never printed');
    return r;
  };

  it("promotes an image signed with the vault's key named as cosign names it; the record shows key id and vault key", async () => {
    const r = await run({ ...inputs('good', `azurekms://${VAULT}.vault.azure.net/cosign`), targetTags: '1.0' });
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('prod/good', '1.0'), image.digest);
    const kid = `https://${VAULT}.vault.azure.net/keys/cosign/${cosignVersion}`;
    const v = r.record!.details.verification as { passed: boolean; signature: Record<string, string> };
    assert.equal(v.passed, true);
    assert.equal(v.signature.kind, 'cosignKey');
    assert.equal(v.signature.keyId, keyId(createPublicKey(key.privateKey)), "cosign's key id: SHA-256 of the SPKI");
    assert.equal(v.signature.keyVaultKey, kid, 'the versioned key the current version resolved to');
    assert.equal(v.signature.signer, `key ${v.signature.keyId} (${kid})`);
    assert.match(String(r.record!.details.verified), /signed \(cosignKey\) by key sha256:[a-f0-9]{64} \(https:/);
    // GetKey of the current version, with a token for Key Vault's audience issued to the connection.
    assert.ok(kv.requests.some((q) => q.method === 'GET' && /^\/keys\/cosign\/?$/.test(q.path) && q.status === 200));
    assert.ok(entra.issued.some((t) => t.clientId === CLIENT_ID && /vault\.azure\.net/.test(t.audience)));
  });

  it("accepts the portal's versioned key identifier", async () => {
    const kid = `https://${VAULT}.vault.azure.net/keys/cosign/${cosignVersion}`;
    const r = await run(inputs('pinned', kid));
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.equal((r.record!.details.verification as { signature: { keyVaultKey: string } }).signature.keyVaultKey, kid);
    assert.ok(kv.requests.some((q) => q.path === `/keys/cosign/${cosignVersion}` && q.status === 200));
  });

  it('verifies with an EC-HSM P-384 key using SHA-384, the digest cosign signs with for that curve', async () => {
    const r = await run({
      ...inputs('hsm', `azurekms://${VAULT}.vault.azure.net/hsm-p384`),
      sourceImage: `${src.host}/sc/hsm:v1`,
    });
    assert.equal(r.host.result?.result, 'Succeeded', r.host.result?.message);
    assert.equal(await dstProbe.manifestDigest('prod/hsm', 'v1'), image384.digest);
    assert.match(
      String((r.record!.details.verification as { signature: { keyVaultKey: string } }).signature.keyVaultKey),
      /\/keys\/hsm-p384\/[0-9a-f]{32}$/,
    );
  });

  it('refuses an image signed with another key than the one in the vault: policy signature, target unchanged', async () => {
    const r = await failsUntouched(
      inputs('wrongkey', `azurekms://${VAULT}.vault.azure.net/other`),
      /policy 'signature' failed: the signature in sha256:[a-f0-9]{64} does not verify with key sha256:.*signed with another key/,
    );
    const v = r.record!.details.verification as { passed: boolean; failedPolicy: string };
    assert.equal(v.passed, false);
    assert.equal(v.failedPolicy, 'signature');
  });

  it('fails naming the vault key and the connection when the key does not exist', async () => {
    const r = await failsUntouched(
      inputs('missing', `azurekms://${VAULT}.vault.azure.net/no-such-key`),
      /Key Vault key https:\/\/kv-sign\.vault\.azure\.net\/keys\/no-such-key \(input 'cosignKeyVaultKey'\) through Azure service connection 'azure' \(input 'azureSubscription'\) failed: the key was not found \(KeyNotFound/,
    );
    assert.match(r.host.result!.message, /Check the key's name and version/);
  });

  it('fails naming the vault key and the connection when the identity may not read it (403)', async () => {
    kv.allowClients(['00000000-0000-0000-0000-000000000000']);
    try {
      await failsUntouched(
        inputs('forbidden', `azurekms://${VAULT}.vault.azure.net/cosign`),
        /keys\/cosign \(input 'cosignKeyVaultKey'\) through Azure service connection 'azure'.*access denied \(Forbidden.*Key Vault Crypto User/,
      );
    } finally {
      kv.allowClients(undefined);
    }
  });

  for (const [name, reason] of [
    ['disabled', /the key is disabled/],
    ['expired', /the key expired on \d{4}-\d\d-\d\dT[\d:.]+Z/],
    ['signonly', /the key's permitted operations \(sign\) do not include verify/],
    ['encrypt', /the key's permitted operations \(encrypt, decrypt\) do not include verify/],
  ] as const)
    it(`refuses a vault key that cannot verify (${name}), naming it`, () =>
      failsUntouched(
        inputs(`key-${name}`, `azurekms://${VAULT}.vault.azure.net/${name}`),
        new RegExp(
          `Key Vault key https://${VAULT}\\.vault\\.azure\\.net/keys/${name}/[0-9a-f]{32} ` +
            `\\(input 'cosignKeyVaultKey'\\) cannot verify cosign signatures: ${reason.source}\\. Nothing was copied`,
        ),
      ));

  it('fails on a malformed key reference before any request (vault, Entra, registries)', async () => {
    const before = { kv: kv.requests.length, entra: entra.requests.length, tokens: entra.issued.length };
    const r = await failsUntouched(
      inputs('baduri', 'azurekms://kv-sign/cosign'),
      /input 'cosignKeyVaultKey': 'azurekms:\/\/kv-sign\/cosign' is not a Key Vault key: 'kv-sign' is not a Key Vault host.*azurekms:\/\/<vault>\.vault\.azure\.net\/<key-name>/,
    );
    assert.equal(r.code, 0);
    assert.deepEqual(
      { kv: kv.requests.length, entra: entra.requests.length, tokens: entra.issued.length },
      before,
      'nothing was contacted',
    );
    // And without the connection the key is read with: named too, still before any request.
    const noConn = await failsUntouched(
      { ...inputs('noconn', `azurekms://${VAULT}.vault.azure.net/cosign`), azureSubscription: '' },
      /input 'azureSubscription': is required with 'cosignKeyVaultKey'/,
    );
    assert.equal(noConn.code, 0);
    // A key in another cloud than the connection's.
    await failsUntouched(
      inputs('othercloud', 'azurekms://kv-sign.vault.azure.cn/cosign'),
      /names a vault in the 'vault\.azure\.cn' cloud, but service connection 'azure' .* is for 'vault\.azure\.net'/,
    );
    assert.equal(kv.requests.length, before.kv);
  });

  it('the packaged task, run like the agent, reads the vault key (lazy bundle) and promotes', async () => {
    const r = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: inputs('packaged', `https://${VAULT}.vault.azure.net/keys/cosign`),
      endpoints,
      env: { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
      timeoutMs: 90_000,
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.result, 'Succeeded', r.resultMessage);
    assert.equal(await dstProbe.manifestDigest('prod/packaged', 'v1'), image.digest);
    const ledger = r.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!;
    const record = JSON.parse(fs.readFileSync(ledger.path, 'utf8'));
    assert.equal(
      record.details.verification.signature.keyVaultKey,
      `https://${VAULT}.vault.azure.net/keys/cosign/${cosignVersion}`,
    );
  });
});
