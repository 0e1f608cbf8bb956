import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { AgentRunResult, runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { startWorld } from '../../devkit/stand-ins/kv-world';
import { dbInputs } from '../db/support';
import { CANARY_RUN, NS, seedApp } from '../../devkit/stand-ins/kube-fixture';
import { LocalRegistry, READER, ADMIN, startLocalRegistry } from '../../devkit/registry/local-registry';
import { OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { startEcho } from './echo';
import {
  SEED,
  adbState,
  adbWrites,
  kubeState,
  kubeWrites,
  repositoryState,
  rerunFigures,
  seeded,
  stable,
  stateDiffs,
  vaultState,
  vaultWrites,
} from './state';

/**
 * Re-run convergence of every packaged task: three runs in a row against the same emulator state end in
 * the same state and the 2nd and 3rd write nothing; a run SIGKILLed at a seeded random point, then run
 * again, ends in the state of an uninterrupted run. State is read from the emulators, never from the task.
 */
interface World {
  run(kill?: { afterMs: number; signal: NodeJS.Signals }): Promise<AgentRunResult>;
  state(): Promise<unknown>;
  /** Writes the task made so far, as the service saw them. */
  writes(last?: AgentRunResult): number;
  close(): Promise<void>;
}

const env = { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '' };
const random = seeded(SEED);
const KILLS_PER_TASK = 2;

/** What AcrPromote wrote, from its ledger record: registries keep no request log we could count. */
function acrWrites(run: AgentRunResult | undefined): number {
  const ledger = run?.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
  if (!ledger) return 0;
  const d = JSON.parse(fs.readFileSync(ledger.path, 'utf8')).details as {
    blobsCopied: number;
    blobsMounted: number;
    manifestsPushed: number;
    bytesMoved: number;
    tagsMoved: string;
  };
  return (
    d.blobsCopied +
    d.blobsMounted +
    d.manifestsPushed +
    d.bytesMoved +
    (d.tagsMoved === 'none' ? 0 : d.tagsMoved.split(', ').length)
  );
}

let registries: { src: LocalRegistry; dst: LocalRegistry; layout: OciLayout } | undefined;
let repoCounter = 0;

const scenarios: Record<string, () => Promise<World>> = {
  KeyVaultToOci: async () => {
    const w = await startWorld();
    for (let i = 0; i < 6; i++) w.kv.set(`app-secret-${i}`, `value-${i}-${'x'.repeat(i * 10)}`);
    return {
      // kv-world's runLikeAgent, plus a kill: the same inputs, connections and proxy.
      run: (kill) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('KeyVaultToOci'),
          inputs: w.inputs,
          endpoints: w.endpoints,
          env: { HTTPS_PROXY: w.proxy.url, ...env },
          kill,
          timeoutMs: 90_000,
        }),
      state: async () => vaultState(w.oci),
      writes: () => vaultWrites(w.oci),
      close: () => w.close(),
    };
  },
  OracleDbProvision: async () => {
    const oci = await OciDatabaseEmulator.start({
      delays: { provision: 300, update: 50, start: 50, stop: 50, terminate: 50, backup: 50 },
    });
    return {
      run: (kill) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('OracleDbProvision'),
          inputs: dbInputs({}),
          endpoints: { oci: ociEndpoint(oci.url) },
          env,
          kill,
        }),
      state: async () => adbState(oci),
      writes: () => adbWrites(oci),
      close: () => oci.close(),
    };
  },
  AcrPromote: async () => {
    const { src, dst } = registries!;
    const repo = `rerun/web-${repoCounter++}`;
    const probe = new RegistryProbe(dst);
    return {
      run: (kill) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('AcrPromote'),
          inputs: {
            sourceImage: `${src.host}/shop/big:2.0.0`,
            targetRegistry: dst.host,
            targetRepository: repo,
            targetTags: '2.0.0\nprod',
            sourceRegistryConnection: 'src',
            targetRegistryConnection: 'dst',
          },
          endpoints: { src: registryEndpoint(src, READER), dst: registryEndpoint(dst, ADMIN) },
          kill,
        }),
      state: () => repositoryState(probe, repo),
      writes: (last) => acrWrites(last),
      close: async () => undefined,
    };
  },
  CanaryShift: async () => {
    const kube = await KubeApiServer.start({ namespaces: [NS], rollout: { outcome: 'available', delayMs: 60 } });
    seedApp(kube);
    return {
      run: (kill) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('CanaryShift'),
          inputs: {
            ...CANARY_RUN,
            steps: '20, pause 200ms, 50, pause 200ms, 100',
            rolloutTimeoutSeconds: '60',
          },
          endpoints: { k8s: kube.endpoint() },
          env,
          kill,
        }),
      state: async () => kubeState(kube),
      writes: () => kubeWrites(kube),
      close: () => kube.close(),
    };
  },
  SmokeTest: async () => {
    // SmokeTest changes nothing: its "state" is what the service saw (methods), and it must never write.
    const echo = await startEcho();
    return {
      run: (kill) =>
        runTaskLikeAgent({
          taskDir: packagedTaskDir('SmokeTest'),
          inputs: {
            baseUrl: echo.url,
            checks: '- { name: health, path: /echo/health }\n- { name: ready, path: /echo/ready }\n',
          },
          env,
          kill,
        }),
      state: async () => ({
        methods: [...new Set(echo.received.map((r) => r.method))].sort(),
        paths: [...new Set(echo.received.map((r) => r.url))].sort(),
      }),
      writes: () => echo.received.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length,
      close: () => echo.close(),
    };
  },
};

describe('security: re-run convergence of every packaged task (3 runs in a row; seeded SIGKILL then re-run)', function () {
  this.timeout(120_000);
  before(async function () {
    const [src, dst] = await Promise.all([
      startLocalRegistry({ name: 'rrsrc' }),
      startLocalRegistry({ name: 'rrdst' }),
    ]);
    const layout = new OciLayout(tempDir('rrlayout'));
    layout.tag('2.0.0', layout.image({ layerSizes: [1 << 20, 1 << 20, 1 << 20, 512 << 10] }));
    registries = { src, dst, layout };
    await skopeoSeed(layout.dir, '2.0.0', src, 'shop/big:2.0.0');
  });
  after(async () => {
    if (!registries) return;
    fs.rmSync(registries.layout.dir, { recursive: true, force: true });
    await Promise.all([registries.src.stop(), registries.dst.stop()]);
  });

  for (const [task, start] of Object.entries(scenarios)) {
    let baseline: unknown;
    let duration = 0;

    it(`${task}: three runs in a row end in the same state; the 2nd and 3rd write nothing`, async () => {
      const w = await start();
      try {
        const states: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          const before = w.writes();
          const t0 = Date.now();
          const run = await w.run();
          if (i === 0) duration = Date.now() - t0;
          rerunFigures.runs++;
          assert.equal(run.code, 0, `run ${i + 1}: ${run.resultMessage}\n${run.stderr}`);
          states.push(await w.state());
          const wrote = task === 'AcrPromote' ? w.writes(run) : w.writes() - before;
          if (i === 0 && task !== 'SmokeTest')
            assert.ok(wrote > 0, 'the first run changed something (else the test proves nothing)');
          if (i > 0) {
            rerunFigures.writesOnRerun += wrote;
            assert.equal(wrote, 0, `run ${i + 1} wrote ${wrote} time(s)`);
          }
        }
        const diffs = [...stateDiffs(states[0], states[1]), ...stateDiffs(states[0], states[2])];
        rerunFigures.stateDiffs += diffs.length;
        assert.deepEqual(diffs, []);
        baseline = states[2];
      } finally {
        await w.close();
      }
    });

    for (let k = 0; k < KILLS_PER_TASK; k++) {
      it(`${task}: SIGKILLed at a seeded random point (kill ${k + 1}), then re-run → the uninterrupted run's state`, async () => {
        // The uninterrupted runs are the reference: when they failed, a kill has nothing to be compared with.
        assert.ok(
          baseline !== undefined,
          `${task}: no uninterrupted end state to compare with (the three-runs test failed)`,
        );
        // Anywhere from process start to the end of a typical run: early kills test "nothing done yet", late ones "nearly done".
        const afterMs = Math.round(50 + random() * Math.max(duration - 50, 100));
        const w = await start();
        try {
          const killed = await w.run({ afterMs, signal: 'SIGKILL' });
          rerunFigures.runs++;
          rerunFigures.kills++;
          if (killed.signal === 'SIGKILL') rerunFigures.killsLanded++;
          if (stateDiffs(baseline, await w.state()).length > 0) rerunFigures.killsLeftPartial++;
          const rerun = await w.run();
          rerunFigures.runs++;
          assert.equal(
            rerun.code,
            0,
            `re-run after a kill at ${afterMs} ms (seed ${SEED}): ${rerun.resultMessage}\n${rerun.stderr}`,
          );
          const diffs = stateDiffs(baseline, await w.state());
          rerunFigures.stateDiffs += diffs.length;
          assert.deepEqual(
            diffs,
            [],
            `kill at ${afterMs} ms of ~${duration} ms (seed ${SEED}; replay with MCDSO_SEED)\n${stable(baseline)}`,
          );
        } finally {
          await w.close();
        }
      });
    }
  }

  after(() => {
    console.log(
      `      re-run convergence (seed ${SEED}): ${rerunFigures.runs} packaged runs, ${rerunFigures.kills} SIGKILLs (${rerunFigures.killsLanded} before the run ended, ${rerunFigures.killsLeftPartial} leaving a state the re-run had to finish), ${rerunFigures.writesOnRerun} writes by re-runs, ${rerunFigures.stateDiffs} state diffs found`,
    );
  });
});
