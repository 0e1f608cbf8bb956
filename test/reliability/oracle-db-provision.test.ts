import * as assert from 'node:assert/strict';
import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { dbInputs } from '../db/support';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { FaultRates } from '../../devkit/net/fault-proxy';
import { ATTEMPTS_BOUND, FAULT_RATES, FaultNet, FaultRuns, SEEDS, recordRun } from '../../devkit/net/fault-net';

/** OracleDbProvision (OCI API target): create, scale, back up — with a fault proxy in front of OCI Database. */
interface Scenario {
  oci: OciDatabaseEmulator;
  net: FaultNet;
  runs: AgentRunResult[];
}

const STEPS: Record<string, string>[] = [{}, { computeCount: '4' }, { action: 'backup' }];

async function scenario(rates: FaultRates, seed?: number): Promise<Scenario> {
  const oci = await OciDatabaseEmulator.start({
    delays: { provision: 200, update: 50, start: 50, stop: 50, terminate: 50, backup: 50 },
  });
  const net = new FaultNet(rates, seed);
  // OCI signs the Host header: the proxy must pass the client's on.
  const proxy = await net.proxy('oci-database', oci.url, { tls: true, preserveHost: true });
  const runs: AgentRunResult[] = [];
  for (const step of STEPS) {
    runs.push(
      await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs(step),
        endpoints: { oci: ociEndpoint(proxy.url) },
        env: { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' },
        timeoutMs: 60_000,
      }),
    );
  }
  return { oci, net, runs };
}

/** Databases and backups as a user sees them, without server-made ids and times. */
function state(s: Scenario): unknown {
  const dbs = [...s.oci.store.databases.values()].map((d) => ({
    displayName: d.displayName,
    dbName: d.dbName,
    state: d.lifecycleState,
    computeCount: d.computeCount,
    storage: d.dataStorageSizeInTBs,
    mtls: d.isMtlsConnectionRequired,
  }));
  // Backup names end with the time of the run: compare them without it.
  const backups = [...s.oci.store.backups.values()].map((b) => ({
    displayName: b.displayName.replace(/-\d{4}-\d\d-\d\dT[\d-]+Z$/, '-<time>'),
    state: b.lifecycleState,
  }));
  return { dbs, backups };
}

const created = (s: Scenario): number => s.oci.store.databases.size + s.oci.store.backups.size;

describe('fault proxy: OracleDbProvision packaged task', function () {
  this.timeout(90_000);
  const runs = new FaultRuns<number, Scenario>();
  const { all, faulty } = runs;
  let clean: Scenario;
  before(async () => {
    clean = await runs.run(
      () => scenario({}),
      SEEDS,
      (seed) => scenario(FAULT_RATES, seed),
    );
  });
  after(async () => {
    for (const s of all) {
      await s.net.close();
      await s.oci.close();
    }
  });

  it('fault-free baseline: one database, scaled, one backup, all through the proxy', () => {
    for (const r of clean.runs) assert.equal(r.code, 0, `${r.resultMessage}\n${r.stderr}`);
    assert.deepEqual(state(clean), {
      dbs: [{ displayName: 'shop-db', dbName: 'SHOPDB', state: 'AVAILABLE', computeCount: 4, storage: 1, mtls: true }],
      backups: [{ displayName: 'shop-db-20261123.1-<time>', state: 'ACTIVE' }],
    });
    assert.equal(clean.net.attempts(), clean.oci.requests.length, 'every request went through the proxy');
  });

  for (const seed of SEEDS)
    it(`seed ${seed}: converges to the fault-free end state, no duplicate database or backup, bounded attempts`, () => {
      const run = faulty.get(seed)!;
      const duplicates = Math.max(0, created(run) - created(clean));
      const ratio = recordRun('OracleDbProvision', clean.net, run.net, duplicates);
      const detail = `${run.net.describe()}\n${run.runs.map((r) => `${r.code} ${r.resultMessage}\n${r.stderr.slice(-1500)}`).join('\n')}`;
      assert.ok(run.net.totalInjected() > 0, 'faults were injected');
      for (const r of run.runs) assert.equal(r.code, 0, detail);
      assert.deepEqual(state(run), state(clean), detail);
      assert.equal(duplicates, 0, 'no duplicate create');
      // Creates that reached the service: retries carry the same opc-retry-token, so at most one per token.
      const createTokens = run.oci.requests
        .filter((r) => r.method === 'POST' && /\/(autonomousDatabases|autonomousDatabaseBackups)$/.test(r.path))
        .map((r) => String(r.headers['opc-retry-token'] ?? 'none'));
      assert.ok(!createTokens.includes('none'), 'every create carries an opc-retry-token');
      assert.equal(new Set(createTokens).size, 2, `one token per create: ${createTokens.join(', ')}`);
      assert.ok(ratio <= ATTEMPTS_BOUND, `attempts ${run.net.attempts()} ≤ ${ATTEMPTS_BOUND}× ${clean.net.attempts()}`);
    });
});
