import * as assert from 'node:assert/strict';
import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  COMPARTMENT,
  KEY,
  KvWorld,
  VAULT,
  startWorld,
} from '../../devkit/stand-ins/kv-world';
import { ConnectProxy, startConnectProxy } from '../../devkit/net/connect-proxy';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { FaultRates } from '../../devkit/net/fault-proxy';
import { issueCert } from '../../devkit/support/test-ca';
import { ATTEMPTS_BOUND, FAULT_RATES, FaultNet, FaultRuns, SEEDS, recordRun } from '../../devkit/net/fault-net';

/**
 * KeyVaultToOci with a fault proxy in front of Entra, Key Vault (reached under its real host name
 * through the CONNECT proxy, whose tunnel now ends at the fault proxy) and the OCI Vault.
 */
interface Scenario {
  world: KvWorld;
  net: FaultNet;
  connect: ConnectProxy;
  run: AgentRunResult;
}

async function scenario(rates: FaultRates, seed?: number, overrides?: Record<string, FaultRates>): Promise<Scenario> {
  const world = await startWorld();
  world.kv.set('db-password', 'pw-2026-11');
  world.kv.set('db-user', 'shop_app');
  world.kv.set('api-key', 'key-new');
  world.kv.set('cache-url', 'redis://cache:6379');
  for (let i = 0; i < 6; i++) world.kv.set(`feature-${i}`, `flag-value-${i}`);
  world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name: 'api-key', content: 'key-old' });
  world.oci.seed({ vaultId: VAULT, compartmentId: COMPARTMENT, keyId: KEY, name: 'db-user', content: 'shop_app' });
  const net = new FaultNet(rates, seed, overrides);
  const entra = await net.rewritten('entra', world.entra.authorityHost, { tls: true });
  const kv = await net.proxy('keyvault', `https://127.0.0.1:${world.kv.port}`, {
    tls: true,
    preserveHost: true,
    cert: issueCert({ names: ['*.vault.azure.net', 'localhost', '127.0.0.1'] }),
  });
  const oci = await net.proxy('oci-vault', world.oci.url, { tls: true, preserveHost: true });
  const connect = await startConnectProxy({ [world.kv.hostname]: Number(new URL(kv.url).port) });
  const run = await runTaskLikeAgent({
    taskDir: packagedTaskDir('KeyVaultToOci'),
    inputs: { ...world.inputs, secrets: '*' },
    endpoints: {
      azure: {
        url: 'https://management.azure.com/',
        scheme: 'ServicePrincipal',
        auth: {
          tenantid: world.entra.tenantId,
          serviceprincipalid: CLIENT_ID,
          authenticationType: 'spnKey',
          serviceprincipalkey: CLIENT_SECRET,
        },
        data: { environmentAuthorityUrl: `${entra.proxy.url}/`, AzureKeyVaultDnsSuffix: 'vault.azure.net' },
      },
      oci: ociEndpoint(oci.url),
    },
    env: { HTTPS_PROXY: connect.url, NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
    timeoutMs: 60_000,
  });
  return { world, net, connect, run };
}

/** The vault as a user sees it: each secret's state and the content of every version, oldest first. */
function state(s: Scenario): Record<string, { state: string; versions: string[] }> {
  const out: Record<string, { state: string; versions: string[] }> = {};
  for (const secret of s.world.oci.secrets
    .filter((x) => x.vaultId === VAULT)
    .sort((a, b) => a.secretName.localeCompare(b.secretName))) {
    // CREATING/UPDATING last until the emulator's next request: they are the same settled ACTIVE secret.
    out[secret.secretName] = {
      state: /^(CREATING|UPDATING)$/.test(secret.lifecycleState) ? 'ACTIVE' : secret.lifecycleState,
      versions: secret.versions.map((v) => Buffer.from(v.content, 'base64').toString('utf8')),
    };
  }
  return out;
}

const created = (s: Scenario): number =>
  s.world.oci.secrets.length + s.world.oci.secrets.reduce((n, x) => n + x.versions.length, 0);

// A second mix over the same seeds: every 429 with Retry-After on the Azure side, and twice the resets before an
// OCI request instead of after one (so more requests are cut off before the vault sees them).
const WITH_RETRY_AFTER = { ...FAULT_RATES, throttle: 0, throttleWithRetryAfter: 0.08 };
const SECOND_MIX = {
  entra: WITH_RETRY_AFTER,
  keyvault: WITH_RETRY_AFTER,
  'oci-vault': { ...FAULT_RATES, resetAfter: 0, resetBefore: 0.06 },
};

describe('fault proxy: KeyVaultToOci packaged task', function () {
  this.timeout(90_000);
  const runs = new FaultRuns<string, Scenario>();
  const { all, faulty } = runs;
  let clean: Scenario;
  const cases = [
    ...SEEDS.map((seed) => ({
      name: `seed ${seed}, 429s with Retry-After, resets before OCI requests`,
      seed,
      overrides: SECOND_MIX,
    })),
    ...SEEDS.map((seed) => ({ name: `seed ${seed}, all faults`, seed, overrides: {} })),
  ];

  before(async () => {
    // Faulty runs side by side: most of their time is backoff, so this keeps the suite fast.
    clean = await runs.run(
      () => scenario({}),
      cases.map((c) => c.name),
      (name) => {
        const c = cases.find((x) => x.name === name)!;
        return scenario(FAULT_RATES, c.seed, c.overrides);
      },
      {
        check: (baseline) =>
          assert.equal(baseline.run.code, 0, `${baseline.run.resultMessage}\n${baseline.run.stderr}`),
      },
    );
  });
  after(async () => {
    for (const s of all) {
      await s.connect.close();
      await s.net.close();
      await s.world.close();
    }
  });

  it('routes every service through a fault proxy (fault-free baseline)', () => {
    for (const name of ['entra', 'keyvault', 'oci-vault'])
      assert.ok(clean.net.proxies.get(name)!.log.length > 0, `${name} reached through its proxy`);
    assert.ok(
      clean.net.proxies.get('entra')!.log.some((r) => r.method === 'POST'),
      'token requests go through the fault proxy',
    );
    assert.deepEqual(
      [clean.run.outputs.created, clean.run.outputs.updated, clean.run.outputs.unchanged],
      ['8', '1', '1'],
    );
  });

  for (const c of cases)
    it(`${c.name}: converges to the fault-free end state, no duplicate secret or version, bounded attempts`, () => {
      const run = faulty.get(c.name)!;
      const duplicates = Math.max(0, created(run) - created(clean));
      const ratio = recordRun('KeyVaultToOci', clean.net, run.net, duplicates);
      const detail = `${run.net.describe()}\n${run.run.resultMessage}\n${run.run.stderr.slice(-2000)}`;
      assert.ok(run.net.totalInjected() > 0, 'faults were injected');
      // The two faults that used to break this run are ridden out like any other: a reset after the vault applied
      // an UpdateSecret (the task looks before writing again) and a 429 without Retry-After from Key Vault or Entra
      // (retried by the source's own policy); kv-lost-answers.test.ts reproduces each one deterministically.
      assert.equal(run.run.code, 0, detail);
      assert.deepEqual(state(run), state(clean), detail);
      assert.deepEqual(
        [run.run.outputs.created, run.run.outputs.updated, run.run.outputs.unchanged],
        [clean.run.outputs.created, clean.run.outputs.updated, clean.run.outputs.unchanged],
      );
      assert.equal(duplicates, 0, 'no duplicate secret or version');
      assert.ok(ratio <= ATTEMPTS_BOUND, `attempts ${run.net.attempts()} ≤ ${ATTEMPTS_BOUND}× ${clean.net.attempts()}`);
    });
});
