import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractZip } from '../../devkit/agent/unzip';
import { findLeaks, describeLeaks } from '../security/shapes';
import { startFakeOperator } from './fake-operator';
import { ADMIN_SECRET_ID, PublishWorld, publishInputs, startPublishWorld } from './publish-world';
import { ADMIN_PASSWORD, WALLET_PASSWORD, dbInputs, runDbTask } from './support';

const NAMES = [
  'shop-db-wallet',
  'shop-db-connection-strings',
  'shop-db-connection-string',
  'shop-db-admin-password-ref',
];

interface Published {
  keyVault?: { vault: string; secrets: { name: string; version?: string; changed: boolean }[] };
  kubernetesSecret?: { namespace: string; name: string; keys: string[]; resourceVersion?: string; changed: boolean };
  adminPasswordRef: string;
}
const publishedOf = (r: { record: Record<string, unknown> }): Published =>
  (r.record.details as { published: Published }).published;

function walletFiles(b64: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pubwallet-'));
  const zip = path.join(dir, 'w.zip');
  fs.writeFileSync(zip, Buffer.from(b64, 'base64'));
  return extractZip(zip, path.join(dir, 'x')).sort();
}

describe('OracleDbProvision publishToKeyVault / publishToKubernetes (OCI, Key Vault and kube emulators)', function () {
  this.timeout(30_000);
  let w: PublishWorld;
  beforeEach(async () => {
    w = await startPublishWorld();
  });
  afterEach(async () => w.close());

  const run = (over: Record<string, string> = {}) => runDbTask(dbInputs(publishInputs(over)), w.endpoints, w.variables);

  it('ensure publishes wallet, connection strings and the password reference; a second run writes nothing', async () => {
    w.oci.seedSecret(ADMIN_SECRET_ID, ADMIN_PASSWORD);
    const first = await run({ adminPassword: '', adminPasswordSecretId: ADMIN_SECRET_ID });
    assert.notEqual(first.host.result?.result, 'Failed', first.host.result?.message);
    const [db] = w.oci.store.databases.values();
    for (const name of NAMES) assert.equal(w.kv.versions(name).length, 1, `${name}: one version`);
    const [wallet] = w.kv.versions('shop-db-wallet');
    assert.equal(wallet.contentType, 'application/zip');
    assert.equal(wallet.tags.encoding, 'base64');
    assert.equal(wallet.tags['adb-id'], db.id);
    assert.deepEqual(walletFiles(wallet.value), [
      'README',
      'cwallet.sso',
      'ewallet.p12',
      'keystore.jks',
      'ojdbc.properties',
      'sqlnet.ora',
      'tnsnames.ora',
      'truststore.jks',
    ]);
    const [one] = w.kv.versions('shop-db-connection-string');
    assert.equal(one.value, first.host.outputs.connectionString);
    assert.equal(one.tags.profile, 'shopdb_tp');
    const all = JSON.parse(w.kv.versions('shop-db-connection-strings')[0].value) as Record<string, string>;
    assert.ok(all.shopdb_high && all.shopdb_low && all.shopdb_tp);
    assert.deepEqual(JSON.parse(w.kv.versions('shop-db-admin-password-ref')[0].value), {
      kind: 'ociVaultSecret',
      secretId: ADMIN_SECRET_ID,
    });
    const rec = publishedOf(first);
    assert.equal(rec.keyVault?.vault, 'kv-orders.vault.azure.net');
    assert.deepEqual(
      rec.keyVault?.secrets.map((s) => [s.name, s.changed, s.version]),
      NAMES.map((n) => [n, true, w.kv.versions(n)[0].version]).sort((a, b) =>
        a[0] === 'shop-db-wallet' ? -1 : b[0] === 'shop-db-wallet' ? 1 : 0,
      ),
    );

    const kvPuts = () => w.kv.requests.filter((q) => q.method === 'PUT').length;
    const generated = () => w.oci.requests.filter((q) => q.path.endsWith('/actions/generateWallet')).length;
    const [puts, gens] = [kvPuts(), generated()];
    const again = await run({ adminPassword: '', adminPasswordSecretId: ADMIN_SECRET_ID });
    assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
    assert.equal(kvPuts(), puts, 'no secret written on the second run');
    assert.equal(generated(), gens, 'the wallet was not even downloaded again');
    for (const name of NAMES) assert.equal(w.kv.versions(name).length, 1, `${name}: still one version`);
    assert.ok(publishedOf(again).keyVault!.secrets.every((s) => !s.changed));
    assert.ok(again.host.lines.some((l) => /all 4 secrets already current, nothing written/.test(l)));

    // Nothing secret anywhere a person or the hub can see: the wallet (every encoding), both passwords.
    const leaks = findLeaks([first.visible, again.visible].join('\n'), {
      wallet: wallet.value,
      walletZip: Buffer.from(wallet.value, 'base64').toString('latin1'),
      adminPassword: ADMIN_PASSWORD,
      walletPassword: WALLET_PASSWORD,
    });
    assert.equal(leaks.length, 0, describeLeaks(leaks));
    assert.ok(first.host.secrets.includes(wallet.value), 'the wallet was registered as a secret');
  });

  it('a rotated wallet or a changed connection string gets a new version of that secret only', async () => {
    assert.notEqual((await run()).host.result?.result, 'Failed');
    const [db] = w.oci.store.databases.values();
    db.walletRotated = new Date().toISOString();
    const rotated = await run();
    assert.notEqual(rotated.host.result?.result, 'Failed', rotated.host.result?.message);
    assert.equal(w.kv.versions('shop-db-wallet').length, 2, 'the rotated wallet is published');
    assert.match(w.kv.versions('shop-db-wallet')[1].tags['wallet-identity'], new RegExp(`@${db.walletRotated}`));
    assert.equal(w.kv.versions('shop-db-connection-string').length, 1);
    assert.equal(publishedOf(rotated).adminPasswordRef, 'none (adminPassword came from a pipeline variable)');
    assert.equal(w.kv.versions('shop-db-admin-password-ref').length, 0, 'no reference without an OCI Vault secret');

    const high = await run({ connectionProfile: 'high' });
    assert.notEqual(high.host.result?.result, 'Failed', high.host.result?.message);
    assert.deepEqual(
      ['shop-db-wallet', 'shop-db-connection-strings', 'shop-db-connection-string'].map((n) => w.kv.versions(n).length),
      [2, 1, 2],
    );
    assert.equal(w.kv.versions('shop-db-connection-string')[1].tags.profile, 'shopdb_high');

    // A version disabled by someone is replaced by a new, enabled one.
    w.kv.update('shop-db-connection-strings', { enabled: false });
    assert.notEqual((await run({ connectionProfile: 'high' })).host.result?.result, 'Failed');
    assert.deepEqual(
      w.kv.versions('shop-db-connection-strings').map((v) => v.enabled),
      [false, true],
    );
  });

  it('publishToKubernetes writes the Secret by server-side apply; a second run leaves it unchanged', async () => {
    const r = await run({
      publishToKeyVault: 'false',
      azureSubscription: '',
      keyVaultName: '',
      publishToKubernetes: 'true',
      kubernetesSecret: 'shop/orders-db',
      kubernetesServiceConnection: 'k8s',
    });
    assert.notEqual(r.host.result?.result, 'Failed', r.host.result?.message);
    const secret = w.kube.get('v1', 'Secret', 'shop', 'orders-db') as {
      data: Record<string, string>;
      metadata: { resourceVersion: string };
    };
    assert.deepEqual(Object.keys(secret.data).sort(), ['connection-string', 'connection-strings.json', 'wallet.zip']);
    assert.equal(Buffer.from(secret.data['wallet.zip'], 'base64').readUInt32LE(0), 0x04034b50);
    assert.equal(Buffer.from(secret.data['connection-string'], 'base64').toString(), r.host.outputs.connectionString);
    const rv = secret.metadata.resourceVersion;
    const again = await run({
      publishToKeyVault: 'false',
      azureSubscription: '',
      keyVaultName: '',
      publishToKubernetes: 'true',
      kubernetesSecret: 'shop/orders-db',
      kubernetesServiceConnection: 'k8s',
    });
    assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
    assert.equal((w.kube.get('v1', 'Secret', 'shop', 'orders-db') as typeof secret).metadata.resourceVersion, rv);
    assert.equal(publishedOf(again).kubernetesSecret?.changed, false);
    assert.equal(w.kv.requests.length, 0, 'Key Vault was not contacted');
    const leaks = findLeaks(again.visible + r.visible, { wallet: secret.data['wallet.zip'] });
    assert.equal(leaks.length, 0, describeLeaks(leaks));
  });

  it('through the operator: the wallet comes from the Secret the operator wrote, and is published once', async () => {
    const operator = startFakeOperator(w.kube, { delayMs: 80 });
    try {
      const opRun = () =>
        runDbTask(
          dbInputs(
            publishInputs({
              target: 'operator',
              kubernetesServiceConnection: 'k8s',
              namespace: 'db',
              ociConnection: '',
            }),
          ),
          w.endpoints,
          w.variables,
        );
      const first = await opRun();
      assert.notEqual(first.host.result?.result, 'Failed', first.host.result?.message);
      const walletSecret = w.kube.get('v1', 'Secret', 'db', 'shop-db-wallet') as { data: Record<string, string> };
      assert.ok(walletSecret.data['Wallet_SHOPDB.zip'], 'the fake operator stores the zip as the real one does');
      const [wallet] = w.kv.versions('shop-db-wallet');
      assert.equal(wallet.value, walletSecret.data['Wallet_SHOPDB.zip'], "OCI's zip, byte for byte");
      assert.deepEqual(JSON.parse(w.kv.versions('shop-db-admin-password-ref')[0].value), {
        kind: 'kubernetesSecret',
        namespace: 'db',
        name: 'shop-db-admin-password',
        key: 'shop-db-admin-password',
      });
      const again = await opRun();
      assert.notEqual(again.host.result?.result, 'Failed', again.host.result?.message);
      for (const name of NAMES) assert.equal(w.kv.versions(name).length, 1, `${name}: still one version`);
      const leaks = findLeaks(first.visible + again.visible, { wallet: wallet.value, admin: ADMIN_PASSWORD });
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    } finally {
      operator.stop();
    }
  });

  it('refuses publishing inputs that would be ignored, before contacting anything', async () => {
    const stop = await run({ action: 'stop' });
    assert.equal(stop.host.result?.result, 'Failed');
    assert.match(stop.host.result.message, /'publishToKeyVault'.*action 'stop' leaves no database credentials/s);
    const stray = await runDbTask(dbInputs({ keyVaultName: 'kv-orders' }), w.endpoints, w.variables);
    assert.match(stray.host.result!.message, /'keyVaultName'.*publishToKeyVault is false/s);
    const noWallet = await run({ walletPassword: '' });
    assert.match(noWallet.host.result!.message, /'walletPassword'.*required to publish/s);
    assert.equal(w.oci.requests.length + w.kv.requests.length, 0, 'nothing was contacted');
  });
});
