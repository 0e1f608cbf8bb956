import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { Endpoint, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { OCI_TEST_KEY, ociEndpoint } from '../../devkit/support/oci-test-key';
import { CLIENT_ID, KvWorld, VAULT, runLikeAgent, startWorld } from '../../devkit/stand-ins/kv-world';
import { dbInputs } from '../db/support';
import { SHAPES, SHAPE_NAMES, describeLeaks, scanRun, unregistered } from './shapes';

/** The OCI connection with the test key encrypted under `passphrase`: the passphrase is a secret too. */
export function encryptedOciEndpoint(url: string, passphrase: string): Endpoint {
  const base = ociEndpoint(url);
  const privateKey = crypto
    .createPrivateKey(OCI_TEST_KEY.privateKeyPem)
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString();
  return { ...base, auth: { ...base.auth, privateKey, passphrase } };
}

const env = { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' };

describe('security: KeyVaultToOci leak scan (packaged, every shape as a Key Vault value, the SPN secret, the OCI key passphrase)', function () {
  this.timeout(60_000);
  let world: KvWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  const placements = {
    false: { spn: 'urlEmbedded', passphrase: 'unicode' },
    true: { spn: 'percentAt', passphrase: 'quotes' },
  } as const;

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: no shape in any output, every value synced byte-exact`, async () => {
      const place = placements[`${debug}`];
      const secrets: Record<string, string> = {};
      for (const name of SHAPE_NAMES) {
        world.kv.set(`sec-${name}`, SHAPES[name]);
        secrets[`${name}:keyVaultValue`] = SHAPES[name];
      }
      const spnId = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
      world.entra.register({ clientId: spnId, clientSecret: SHAPES[place.spn] });
      secrets[`${place.spn}:spnSecret`] = SHAPES[place.spn];
      secrets[`${place.passphrase}:ociKeyPassphrase`] = SHAPES[place.passphrase];
      secrets['ociPrivateKey'] = OCI_TEST_KEY.privateKeyPem;
      world.endpoints.spn = {
        ...world.endpoints.azure,
        auth: { ...world.endpoints.azure.auth, serviceprincipalid: spnId, serviceprincipalkey: SHAPES[place.spn] },
      };
      world.endpoints.ociEnc = encryptedOciEndpoint(world.oci.url, SHAPES[place.passphrase]);

      const run = await runLikeAgent(
        world,
        packagedTaskDir('KeyVaultToOci'),
        { azureSubscription: 'spn', ociConnection: 'ociEnc', secrets: 'sec-*' },
        { 'System.Debug': `${debug}` },
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.ok(
        world.entra.issued.some((t) => t.clientId === spnId),
        'the SPN secret was used',
      );
      assert.ok(!world.entra.issued.some((t) => t.clientId === CLIENT_ID));
      for (const name of SHAPE_NAMES) {
        const got = world.oci.secretByName(VAULT, `sec-${name}`)?.versions.at(-1)?.content;
        assert.equal(Buffer.from(got ?? '', 'base64').toString('utf8'), SHAPES[name], `${name} arrived byte-exact`);
      }
      if (debug) assert.match(run.stdout, /##vso\[task\.debug\]/);
      const { ociPrivateKey: _clear, ...announced } = secrets; // the key is sent encrypted: its clear text never exists outside memory
      assert.deepEqual(unregistered(run, announced), [], 'every secret announced with setsecret');
      const leaks = scanRun('KeyVaultToOci', run, secrets);
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    });
  }
});

describe('security: OracleDbProvision leak scan (packaged; adminPassword, walletPassword, OCI key passphrase)', function () {
  this.timeout(60_000);
  let oci: OciDatabaseEmulator;
  beforeEach(async () => {
    oci = await OciDatabaseEmulator.start({
      delays: { provision: 100, update: 30, start: 30, stop: 30, terminate: 30, backup: 30 },
    });
  });
  afterEach(() => oci.close());

  // OCI's password rules (12-30 characters with upper, lower and digit; wallet 8-60) decide which shapes fit where.
  const placements = {
    false: { admin: 'percent', wallet: 'vso', passphrase: 'unicode' },
    true: { admin: 'urlEmbedded', wallet: 'dollar', passphrase: 'backslash' },
  } as const;

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: ensure, then wallet: no password or key material in any output`, async () => {
      const place = placements[`${debug}`];
      const endpoints = { oci: encryptedOciEndpoint(oci.url, SHAPES[place.passphrase]) };
      const variables = { 'System.Debug': `${debug}` };
      const ensure = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({ adminPassword: SHAPES[place.admin] }),
        endpoints,
        variables,
        env,
      });
      assert.equal(ensure.code, 0, `${ensure.resultMessage}\n${ensure.stderr}`);
      const [db] = oci.store.databases.values();
      assert.equal(db.adminPassword, SHAPES[place.admin], 'the password was really sent');
      const wallet = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({ action: 'wallet', walletPassword: SHAPES[place.wallet], adminPassword: '' }),
        endpoints,
        variables,
        env,
      });
      assert.equal(wallet.code, 0, `${wallet.resultMessage}\n${wallet.stderr}`);
      const secrets = {
        [`${place.admin}:adminPassword`]: SHAPES[place.admin],
        [`${place.wallet}:walletPassword`]: SHAPES[place.wallet],
        [`${place.passphrase}:ociKeyPassphrase`]: SHAPES[place.passphrase],
        ociPrivateKey: OCI_TEST_KEY.privateKeyPem,
      };
      assert.deepEqual(
        unregistered(ensure, { admin: SHAPES[place.admin], passphrase: SHAPES[place.passphrase] }),
        [],
        'announced with setsecret',
      );
      assert.deepEqual(
        unregistered(wallet, { wallet: SHAPES[place.wallet], passphrase: SHAPES[place.passphrase] }),
        [],
        'announced with setsecret',
      );
      const leaks = [
        ...scanRun('OracleDbProvision', ensure, secrets),
        ...scanRun('OracleDbProvision', wallet, secrets),
      ];
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    });
  }

  for (const debug of [false, true]) {
    it(`System.Debug=${debug}: passwords rejected by OCI's rules are named, never quoted, and nothing is sent`, async () => {
      // The json shape has a double quote (not allowed), the short one is too short for either password.
      const run = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({
          adminPassword: debug ? SHAPES.json : SHAPES.short,
          walletPassword: debug ? SHAPES.short : SHAPES.json,
        }),
        endpoints: { oci: encryptedOciEndpoint(oci.url, SHAPES.spaces) },
        variables: { 'System.Debug': `${debug}` },
        env,
      });
      assert.equal(run.result, 'Failed');
      assert.match(run.resultMessage ?? '', /input 'adminPassword': does not meet OCI's rules/);
      assert.equal(oci.requests.length, 0, 'nothing was sent');
      const leaks = scanRun('OracleDbProvision', run, {
        'json:rejectedPassword': SHAPES.json,
        'short:rejectedPassword': SHAPES.short,
        'spaces:ociKeyPassphrase': SHAPES.spaces,
      });
      assert.equal(leaks.length, 0, describeLeaks(leaks));
    });
  }
});
