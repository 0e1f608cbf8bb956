import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { SHAPES, describeLeaks, scanRun, unregistered } from '../security/shapes';
import {
  ADMIN_SECRET_ID,
  PUBLISH_CLIENT_SECRET,
  PublishWorld,
  publishInputs,
  startPublishWorld,
} from './publish-world';
import { dbInputs } from './support';

/**
 * The packaged task as the agent runs it (Agent.ProxyUrl routes Key Vault through the proxy): ensure with
 * publishToKeyVault and publishToKubernetes, then the same step again. The second run writes nothing, and no
 * run shows the wallet, a password or the service principal secret in any encoding.
 */
describe('OracleDbProvision packaged: publish to Key Vault and a Kubernetes Secret, re-run, leak scan', function () {
  this.timeout(90_000);
  let w: PublishWorld;
  before(async () => {
    w = await startPublishWorld();
  });
  after(async () => w.close());

  const ADMIN = SHAPES.percent;
  const WALLET = SHAPES.vso;

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: published once, second run writes no version, nothing secret shown`, async () => {
      w.oci.seedSecret(ADMIN_SECRET_ID, ADMIN);
      const inputs = dbInputs(
        publishInputs({
          adminPassword: '',
          adminPasswordSecretId: ADMIN_SECRET_ID,
          walletPassword: WALLET,
          publishToKubernetes: 'true',
          kubernetesSecret: `shop/orders-db-${debug}`,
          kubernetesServiceConnection: 'k8s',
          keyVaultSecretPrefix: `orders-${debug}`,
          // A database of its own per run, so each first run creates it (and reads the ADMIN password).
          displayName: `orders-${debug}`,
          dbName: `ORDERS${debug ? 'T' : 'F'}`,
        }),
      );
      const run = () =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('OracleDbProvision'),
          inputs,
          endpoints: w.endpoints,
          variables: { ...w.variables, 'System.Debug': `${debug}` },
          env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
          timeoutMs: 80_000,
        });
      const first = await run();
      assert.equal(first.result, 'Succeeded', `${first.resultMessage}\n${first.stderr}`);
      // One secret per wallet file (a whole wallet is above Key Vault's 25 KB per value), an index, the rest.
      const walletFiles = ['README', 'cwallet.sso', 'ewallet.p12', 'ewallet.pem', 'keystore.jks', 'ojdbc.properties']
        .concat(['sqlnet.ora', 'tnsnames.ora', 'truststore.jks'])
        .map((f) => `wallet-${f.replace(/\./g, '-')}`);
      const names = [...walletFiles, 'wallet-files', 'connection-strings', 'connection-string']
        .concat('admin-password-ref')
        .map((s) => `orders-${debug}-${s}`);
      const versions = () => names.map((n) => w.kv.versions(n).length);
      assert.deepEqual(
        versions(),
        names.map(() => 1),
      );
      const puts = w.kv.requests.filter((q) => q.method === 'PUT').length;
      const secret = w.kube.get('v1', 'Secret', 'shop', `orders-db-${debug}`) as {
        data: Record<string, string>;
        metadata: { resourceVersion: string };
      };
      const rv = secret.metadata.resourceVersion;

      const second = await run();
      assert.equal(second.result, 'Succeeded', `${second.resultMessage}\n${second.stderr}`);
      assert.deepEqual(
        versions(),
        names.map(() => 1),
        'no new Key Vault version',
      );
      assert.equal(w.kv.requests.filter((q) => q.method === 'PUT').length, puts, 'no Key Vault write at all');
      assert.equal(
        (w.kube.get('v1', 'Secret', 'shop', `orders-db-${debug}`) as typeof secret).metadata.resourceVersion,
        rv,
        'the Kubernetes Secret is unchanged',
      );
      const record = JSON.parse(
        fs.readFileSync(second.attachments.find((a) => a.type === 'multicloud-devsecops.ledger')!.path, 'utf8'),
      ) as { details: { published: { keyVault: { secrets: { name: string; version: string; changed: boolean }[] } } } };
      assert.deepEqual(
        record.details.published.keyVault.secrets.map((s) => [s.name, s.version, s.changed]).sort(),
        names.map((n) => [n, w.kv.versions(n)[0].version, false]).sort(),
        'the record names every secret with its current version',
      );

      const wallet = w.kv.versions(`orders-${debug}-wallet-cwallet-sso`)[0].value;
      const p12 = w.kv.versions(`orders-${debug}-wallet-ewallet-p12`)[0].value;
      assert.equal(secret.data['cwallet.sso'], wallet, 'the Kubernetes Secret has the same wallet, file by file');
      const secrets = {
        walletBase64: wallet,
        p12Base64: p12,
        k8sWallet: secret.data['wallet.zip'],
        'percent:adminPassword': ADMIN,
        'vso:walletPassword': WALLET,
        spnSecret: PUBLISH_CLIENT_SECRET,
      };
      assert.deepEqual(unregistered(first, { wallet, p12, admin: ADMIN, walletPassword: WALLET }), []);
      const leaks = [...scanRun('OracleDbProvision', first, secrets), ...scanRun('OracleDbProvision', second, secrets)];
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    });
  }
});
