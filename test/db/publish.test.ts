import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { extractZip } from '../../devkit/agent/unzip';
import { zip } from '../../devkit/emulators/oci-database/wallet';
import { findLeaks, describeLeaks } from '../security/shapes';
import { startFakeOperator } from './fake-operator';
import { ADMIN_SECRET_ID, PublishWorld, publishInputs, startPublishWorld } from './publish-world';
import { ADMIN_PASSWORD, WALLET_PASSWORD, dbInputs, runDbTask } from './support';

/** The files of a real Autonomous Database wallet, each published as `shop-db-wallet-<name with . as ->`. */
const WALLET_FILES = [
  'README',
  'cwallet.sso',
  'ewallet.p12',
  'ewallet.pem',
  'keystore.jks',
  'ojdbc.properties',
  'sqlnet.ora',
  'tnsnames.ora',
  'truststore.jks',
];
const fileSecret = (file: string): string => `shop-db-wallet-${file.replace(/\./g, '-')}`;
const WALLET_NAMES = [...WALLET_FILES.map(fileSecret), 'shop-db-wallet-files'];
const NAMES = [
  ...WALLET_NAMES,
  'shop-db-connection-strings',
  'shop-db-connection-string',
  'shop-db-admin-password-ref',
];
/** Key Vault's limit for one secret value (Azure Key Vault service limits). */
const KEY_VAULT_MAX_VALUE = 25 * 1024;

interface Published {
  keyVault?: { vault: string; secrets: { name: string; version?: string; changed: boolean; file?: string }[] };
  kubernetesSecret?: { namespace: string; name: string; keys: string[]; resourceVersion?: string; changed: boolean };
  adminPasswordRef: string;
}
const publishedOf = (r: { record: Record<string, unknown> }): Published =>
  (r.record.details as { published: Published }).published;

/** The wallet's files as a reader of the Key Vault secrets sees them (the CSI driver's objectEncoding: base64). */
function filesFromVault(w: PublishWorld): Record<string, Buffer> {
  const index = JSON.parse(w.kv.versions('shop-db-wallet-files').at(-1)!.value) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(index).map(([file, name]) => {
      const latest = w.kv.versions(name).at(-1)!;
      assert.equal(latest.tags['file-name'], file);
      return [file, Buffer.from(latest.value, 'base64')];
    }),
  );
}

function zipFiles(b64: string): Record<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pubwallet-'));
  const zip = path.join(dir, 'w.zip');
  fs.writeFileSync(zip, Buffer.from(b64, 'base64'));
  const names = extractZip(zip, path.join(dir, 'x'));
  return Object.fromEntries(names.map((n) => [n, fs.readFileSync(path.join(dir, 'x', n))]));
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
    // The wallet OCI serves is as large as a real one: above Key Vault's 25 KB as one value, so it is split by file.
    const zipB64 = w.oci.store.walletsServed.at(-1)!.toString('base64');
    assert.ok(Buffer.from(zipB64, 'base64').length >= 20 * 1024, 'a realistic wallet zip (>= 20 KB)');
    assert.ok(zipB64.length > KEY_VAULT_MAX_VALUE, 'one secret could not hold it');
    const files = filesFromVault(w);
    assert.deepEqual(Object.keys(files).sort(), WALLET_FILES);
    assert.deepEqual(files, zipFiles(zipB64), 'every file, byte for byte, as in the zip OCI served');
    for (const file of WALLET_FILES) {
      const [v] = w.kv.versions(fileSecret(file));
      assert.equal(v.contentType, 'application/octet-stream');
      assert.equal(v.tags.encoding, 'base64');
      assert.equal(v.tags['adb-id'], db.id);
      assert.ok(v.value.length <= KEY_VAULT_MAX_VALUE, `${file}: within Key Vault's limit`);
    }
    assert.equal(w.kv.versions('shop-db-wallet').length, 0, 'no secret holds the whole zip');
    const wallet = w.kv.versions(fileSecret('cwallet.sso'))[0];
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
      NAMES.map((n) => [n, true, w.kv.versions(n)[0].version]),
    );
    assert.deepEqual(
      rec.keyVault?.secrets.filter((s) => s.file).map((s) => [s.file, s.name]),
      WALLET_FILES.map((f) => [f, fileSecret(f)]),
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
    const quiet = new RegExp(`all ${NAMES.length} secrets already current, nothing written`);
    assert.ok(again.host.lines.some((l) => quiet.test(l)));

    // Nothing secret anywhere a person or the hub can see: the wallet (every encoding), both passwords.
    const leaks = findLeaks([first.visible, again.visible].join('\n'), {
      wallet: wallet.value,
      walletZip: Buffer.from(zipB64, 'base64').toString('latin1'),
      walletZipBase64: zipB64,
      ewalletP12: w.kv.versions(fileSecret('ewallet.p12'))[0].value,
      ewalletPem: files['ewallet.pem'].toString('utf8'),
      adminPassword: ADMIN_PASSWORD,
      walletPassword: WALLET_PASSWORD,
    });
    assert.equal(leaks.length, 0, describeLeaks(leaks));
    for (const file of WALLET_FILES)
      assert.ok(first.host.secrets.includes(w.kv.versions(fileSecret(file))[0].value), `${file}: registered`);
  });

  it('a rotated wallet or a changed connection string gets a new version of that secret only', async () => {
    assert.notEqual((await run()).host.result?.result, 'Failed');
    const [db] = w.oci.store.databases.values();
    db.walletRotated = new Date().toISOString();
    const rotated = await run();
    assert.notEqual(rotated.host.result?.result, 'Failed', rotated.host.result?.message);
    for (const name of WALLET_NAMES) {
      assert.equal(w.kv.versions(name).length, 2, `${name}: the rotated wallet is published`);
      assert.match(w.kv.versions(name)[1].tags['wallet-identity'], new RegExp(`@${db.walletRotated}`));
    }
    assert.equal(w.kv.versions('shop-db-connection-string').length, 1);
    assert.equal(publishedOf(rotated).adminPasswordRef, 'none (adminPassword came from a pipeline variable)');
    assert.equal(w.kv.versions('shop-db-admin-password-ref').length, 0, 'no reference without an OCI Vault secret');

    const high = await run({ connectionProfile: 'high' });
    assert.notEqual(high.host.result?.result, 'Failed', high.host.result?.message);
    assert.deepEqual(
      [...WALLET_NAMES, 'shop-db-connection-strings', 'shop-db-connection-string'].map((n) => w.kv.versions(n).length),
      [...WALLET_NAMES.map(() => 2), 1, 2],
    );
    assert.equal(w.kv.versions('shop-db-connection-string')[1].tags.profile, 'shopdb_high');

    // A version disabled by someone is replaced by a new, enabled one; a disabled wallet file brings the wallet
    // back (downloaded again) for that file only, under the same identity.
    w.kv.update('shop-db-connection-strings', { enabled: false });
    w.kv.update(fileSecret('ewallet.p12'), { enabled: false });
    assert.notEqual((await run({ connectionProfile: 'high' })).host.result?.result, 'Failed');
    assert.deepEqual(
      w.kv.versions('shop-db-connection-strings').map((v) => v.enabled),
      [false, true],
    );
    assert.deepEqual(
      w.kv.versions(fileSecret('ewallet.p12')).map((v) => v.enabled),
      [true, false, true],
    );
    assert.deepEqual(
      WALLET_NAMES.filter((n) => n !== fileSecret('ewallet.p12')).map((n) => w.kv.versions(n).length),
      WALLET_NAMES.slice(1).map(() => 2),
      'the other wallet secrets kept their version',
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
    assert.deepEqual(
      Object.keys(secret.data).sort(),
      ['connection-string', 'connection-strings.json', 'wallet.zip', ...WALLET_FILES].sort(),
    );
    assert.ok(Buffer.from(secret.data['wallet.zip'], 'base64').length >= 20 * 1024, 'the whole wallet, in one Secret');
    const unpacked = zipFiles(secret.data['wallet.zip']);
    for (const file of WALLET_FILES)
      assert.deepEqual(Buffer.from(secret.data[file], 'base64'), unpacked[file], `${file}: a key of its own`);
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
    const leaks = findLeaks(again.visible + r.visible, {
      wallet: secret.data['wallet.zip'],
      cwallet: secret.data['cwallet.sso'],
    });
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
      const served = zipFiles(walletSecret.data['Wallet_SHOPDB.zip']);
      assert.deepEqual(filesFromVault(w), served, "OCI's files, byte for byte");
      for (const file of WALLET_FILES)
        assert.equal(w.kv.versions(fileSecret(file))[0].value, walletSecret.data[file], `${file}: the operator's`);
      const [wallet] = w.kv.versions(fileSecret('cwallet.sso'));
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

  it('a wallet file above 25 KB in base64 fails clearly, before any secret is written', async () => {
    const operator = startFakeOperator(w.kube, { delayMs: 80 });
    try {
      // A wallet the operator already downloaded, with a keystore larger than Key Vault can hold in one value.
      const files = { 'tnsnames.ora': 'shopdb_high = (description=)\n', 'cwallet.sso': crypto.randomBytes(20_000) };
      const data: Record<string, string> = {
        'tnsnames.ora': Buffer.from(files['tnsnames.ora']).toString('base64'),
        'cwallet.sso': files['cwallet.sso'].toString('base64'),
        'Wallet_SHOPDB.zip': zip(files).toString('base64'),
      };
      w.kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-db-wallet', namespace: 'db' }, data });
      const r = await runDbTask(
        dbInputs(
          publishInputs({ target: 'operator', kubernetesServiceConnection: 'k8s', namespace: 'db', ociConnection: '' }),
        ),
        w.endpoints,
        w.variables,
      );
      assert.equal(r.host.result?.result, 'Failed');
      const tooLarge = /wallet file cwallet\.sso .* is 26668 characters in base64, above Key Vault's limit of 25600 /;
      assert.match(r.host.result.message, tooLarge);
      assert.match(r.host.result.message, /nothing was written.*publishToKubernetes/s);
      assert.equal(w.kv.requests.filter((q) => q.method === 'PUT').length, 0, 'no secret written');
      const leaks = findLeaks(r.visible, { cwallet: data['cwallet.sso'] });
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
