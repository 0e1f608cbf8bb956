import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { STAGE_DIR } from '../devkit/project';
import { runTaskLikeAgent } from '../devkit/agent/agent-run';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../devkit/registry/local-registry';
import { OciLayout } from '../devkit/registry/oci-layout';
import { registryEndpoint, skopeoSeed, tempDir } from '../devkit/registry/world';
import { writeResult } from './results';

/**
 * AcrPromote copy vs `skopeo copy`, side by side, between two local docker-registry 2.8
 * instances with token auth: a BENCH_MB (default 200) image of 5 layers. Both are run as
 * processes (AcrPromote as the agent runs the bundle), alternating, ROUNDS times each.
 * Goals: first copy ≤ 1.0× skopeo; re-promotion (nothing to move) ≤ 0.3 s. BENCH_BASELINE_TASK_DIR adds
 * an earlier build of the task to every round, for before/after figures under the same load.
 */
const run = promisify(execFile);
// BENCH_SIZES=10,60,200,1000 runs each size in turn (one results file per size); BENCH_MB one size.
const SIZES = (process.env.BENCH_SIZES ?? process.env.BENCH_MB ?? '200').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return [Number(process.hrtime.bigint() - t) / 1e9, value];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  for (const mb of SIZES) await benchSize(mb, SIZES.length > 1 ? `acr-copy-${mb}mb` : 'acr-copy');
}

async function benchSize(MB: number, resultName: string): Promise<void> {
  // BENCH_TASK_DIR: measure another build of the task (e.g. a proposed bundling change) side by side.
  const taskDir = process.env.BENCH_TASK_DIR ?? path.join(STAGE_DIR, 'tasks', 'AcrPromote');
  // BENCH_BASELINE_TASK_DIR: an earlier build run side by side in the same rounds (before/after figures).
  const baselineDir = process.env.BENCH_BASELINE_TASK_DIR;
  if (!fs.existsSync(path.join(taskDir, 'index.js')))
    throw new Error(`${taskDir} is missing: run npm run build first.`);
  let src: LocalRegistry | undefined;
  const targets: LocalRegistry[] = [];
  let layout: OciLayout | undefined;
  const inTask: number[] = [];
  try {
    src = await startLocalRegistry({ name: 'bench-src' });
    const oci = (layout = new OciLayout(tempDir('bench-layout')));
    const layerBytes = Math.floor((MB * 1024 * 1024) / 5);
    console.log(`--- ${MB} MB ---`);
    const [genS] = await timed(async () =>
      oci.tag('v1', oci.image({ layerSizes: [layerBytes, layerBytes, layerBytes, layerBytes, layerBytes] })),
    );
    const [seedS] = await timed(() => skopeoSeed(oci.dir, 'v1', src!, 'bench/app:v1'));
    console.log(
      `image: ${MB} MB in 5 layers (generated in ${genS.toFixed(1)} s, seeded with skopeo in ${seedS.toFixed(1)} s)`,
    );
    // A fresh target registry for every copy: neither tool may find a blob there from an earlier run
    // (skopeo remembers blob locations in its blob-info cache and would mount them).
    const fresh = async (): Promise<LocalRegistry> => {
      const r = await startLocalRegistry({ name: 'bench-dst' });
      targets.push(r);
      return r;
    };
    const promote = async (to: LocalRegistry, repo: string, dir = taskDir) => {
      const r = await runTaskLikeAgent({
        taskDir: dir,
        inputs: {
          sourceImage: `${src!.host}/bench/app:v1`,
          targetRegistry: to.host,
          targetRepository: repo,
          sourceRegistryConnection: 's',
          targetRegistryConnection: 'd',
        },
        endpoints: { s: registryEndpoint(src!, READER), d: registryEndpoint(to, ADMIN) },
        timeoutMs: 600_000,
      });
      if (r.code !== 0) throw new Error(`AcrPromote failed: ${r.resultMessage}\n${r.stderr}`);
      return r;
    };
    const skopeo = (to: LocalRegistry, repo: string) =>
      run('skopeo', [
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        '--src-creds',
        `${READER.username}:${READER.password}`,
        '--dest-creds',
        `${ADMIN.username}:${ADMIN.password}`,
        `docker://${src!.host}/bench/app:v1`,
        `docker://${to.host}/${repo}:v1`,
      ]);

    const ours: number[] = [];
    // The task process alone (spawn → exit), without the agent model's reading of its output afterwards.
    const oursProcess: number[] = [];
    const theirs: number[] = [];
    const base: number[] = [];
    let ourTarget: LocalRegistry | undefined;
    let theirTarget: LocalRegistry | undefined;
    let baseTarget: LocalRegistry | undefined;
    for (let i = 0; i < ROUNDS; i++) {
      const [a, b, c] = await Promise.all([fresh(), fresh(), baselineDir ? fresh() : undefined]);
      ourTarget = a;
      theirTarget = b;
      baseTarget = c;
      const contenders: (() => Promise<void>)[] = [
        async () => void theirs.push((await timed(() => skopeo(b, 'app')))[0]),
        async () => {
          const [t, r] = await timed(() => promote(a, 'app'));
          ours.push(t);
          oursProcess.push((r.processMs ?? 0) / 1000);
        },
        ...(c ? [async () => void base.push((await timed(() => promote(c, 'app', baselineDir)))[0])] : []),
      ];
      // Rotate who goes first, so cache warmth and load swings favour none.
      for (let k = 0; k < contenders.length; k++) await contenders[(i + k) % contenders.length]();
      console.log(
        `round ${i + 1}: skopeo copy ${theirs[i].toFixed(2)} s, AcrPromote ${ours[i].toFixed(2)} s${c ? `, baseline build ${base[i].toFixed(2)} s` : ''}`,
      );
    }
    const again: number[] = [];
    const skopeoAgain: number[] = [];
    const nodeBaseline: number[] = [];
    const baseAgain: number[] = [];
    const baseInTask: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      if (baseTarget) {
        const [t, r] = await timed(() => promote(baseTarget, 'app', baselineDir));
        baseAgain.push(t);
        baseInTask.push(JSON.parse(fs.readFileSync(r.attachments[0].path, 'utf8')).details.durationMs / 1000);
      }
      const [t, r] = await timed(() => promote(ourTarget!, 'app'));
      const details = JSON.parse(fs.readFileSync(r.attachments[0].path, 'utf8')).details as {
        bytesMoved: number;
        durationMs: number;
      };
      if (details.bytesMoved !== 0) throw new Error(`re-promotion moved ${details.bytesMoved} bytes`);
      again.push(t);
      inTask.push(details.durationMs / 1000);
      skopeoAgain.push((await timed(() => skopeo(theirTarget!, 'app')))[0]);
      nodeBaseline.push((await timed(() => run(process.execPath, ['-e', '0'])))[0]);
    }
    const ratio = median(ours) / median(theirs);
    // Each round's own ratio (both copies ran back to back under the same load): steadier on a shared machine.
    const paired = median(ours.map((t, i) => t / theirs[i]));
    console.log('');
    console.log(
      `first copy (median of ${ROUNDS}): AcrPromote ${median(ours).toFixed(2)} s vs skopeo ${median(theirs).toFixed(2)} s → ${ratio.toFixed(2)}× (goal ≤ 1.0×) ${ratio <= 1 ? 'OK' : 'MISSED'}`,
    );
    console.log(
      `throughput: AcrPromote ${(MB / median(ours)).toFixed(0)} MB/s, skopeo ${(MB / median(theirs)).toFixed(0)} MB/s; median of the rounds' own ratios ${paired.toFixed(2)}×; load average ${os.loadavg()[0].toFixed(2)}`,
    );
    console.log(
      `AcrPromote process alone (spawn → exit, without the agent model's output processing): ${median(oursProcess).toFixed(2)} s (${(median(oursProcess) / median(theirs)).toFixed(2)}× skopeo)`,
    );
    if (baselineDir)
      console.log(
        `baseline build (${baselineDir}): first copy ${median(base).toFixed(2)} s (${(median(base) / median(theirs)).toFixed(2)}× skopeo, rounds' own ratios ${median(base.map((t, i) => t / theirs[i])).toFixed(2)}×); re-promotion work ${median(baseInTask).toFixed(3)} s, whole process ${median(baseAgain).toFixed(3)} s`,
      );
    writeResult(resultName, {
      imageMB: MB,
      layers: 5,
      rounds: ROUNDS,
      firstCopySeconds: {
        acrPromote: median(ours),
        skopeo: median(theirs),
        ratio,
        pairedRatio: paired,
        acrPromoteProcessOnly: median(oursProcess),
        goal: 1.0,
      },
      loadAverage: os.loadavg(),
      rePromotionSeconds: {
        promotionWork: median(inTask),
        wholeProcess: median(again),
        nodeBaseline: median(nodeBaseline),
        skopeo: median(skopeoAgain),
        goal: 0.3,
      },
      samples: { acrPromote: ours, skopeo: theirs, rePromotion: again },
      ...(baselineDir
        ? {
            baseline: {
              taskDir: baselineDir,
              firstCopySeconds: median(base),
              ratio: median(base) / median(theirs),
              rePromotionSeconds: { promotionWork: median(baseInTask), wholeProcess: median(baseAgain) },
              samples: { firstCopy: base, rePromotion: baseAgain },
            },
          }
        : {}),
    });
    console.log(
      `re-promotion, 0 bytes moved (median): promotion work ${median(inTask).toFixed(3)} s (goal ≤ 0.3 s) ${median(inTask) <= 0.3 ? 'OK' : 'MISSED'}; whole task process ${median(again).toFixed(3)} s (node -e 0 alone: ${median(nodeBaseline).toFixed(3)} s); skopeo re-copy ${median(skopeoAgain).toFixed(3)} s`,
    );
  } finally {
    await Promise.all([src?.stop(), ...targets.map((t) => t.stop())]);
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
