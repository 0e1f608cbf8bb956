import { strict as assert } from 'node:assert';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import { ProjectApi, getLedgerAttachment, getLedgerAttachments } from '../../hub/src/data/ado-api';
import { loadHubData } from '../../hub/src/data/ledger-loader';
import { buildMatrix, cellHistory, envOf } from '../../hub/src/data/matrix';
import { HubData, LedgerRecord } from '../../hub/src/data/model';
import { RestClient } from '../../hub/src/data/rest-client';
import { MemoryDocumentStore } from '../../hub/src/data/run-cache';
import { loadRunView } from '../../hub/src/data/run-loader';

const SHOTS = path.join(ROOT, 'test-results', 'demo');
const WEB = 'a:shop/web';
const PROD = ['aks-staging', 'aks-production', 'oke-production'];

/**
 * The README's first command: the three releases from the .vsix, then the hub in the fake Azure DevOps
 * host, then Ctrl-C. Outcomes are read back the way the hub reads them: its data layer over the host's
 * REST with the host's token, then the hub itself in Chromium inside the host page.
 */
describe('npm run demo: three releases, read back through the hub', function () {
  this.timeout(420_000);
  let child: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;
  let hostUrl: URL;
  let data: HubData;
  let api: ProjectApi;

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const t0 = Date.now();
    child = spawn(process.execPath, [path.join(ROOT, 'out', 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first: number | undefined;
    const take = (d: Buffer): void => {
      first ??= Date.now() - t0;
      out += d.toString();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /Promotions hub in the \(fake\) Azure DevOps host: (\S+)/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]);
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`demo exited early:\n${out}`));
        }
      }, 100);
    });
    firstOutputMs = first ?? Infinity;
    console.log(
      `      first output after ${first} ms; ${/series [\d.]+ s/.exec(out)?.[0]}; hub after ${Date.now() - t0} ms`,
    );
    hostUrl = new URL(url);
    const token = hostUrl.searchParams.get('token')!;
    const rest = new RestClient({
      fetch: (u, init) => fetch(u, init),
      authorization: async () => `Bearer ${token}`,
    });
    api = { rest, collectionUrl: hostUrl.searchParams.get('collection')!, project: 'shop' };
    data = (await loadHubData({ api, store: new MemoryDocumentStore() })).data;
  });

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  const of = (task: string, build: number, env: string): LedgerRecord[] =>
    data.records.filter((r) => r.task === task && r.run.buildId === String(build) && envOf(r) === env);

  let firstOutputMs = Infinity;

  it('prints a progress log with timings and expected stage results, the first line within 5 s', () => {
    assert.ok(firstOutputMs < 5000, `first output after ${firstOutputMs} ms`);
    assert.match(out, /^\[\s*0\.\d s\] Multicloud DevSecOps demo/m, 'first line within the first second');
    assert.match(
      out,
      /1\.4\.1: platform succeeded, staging succeeded, production_aks succeeded, production_oke succeeded/,
    );
    assert.match(out, /1\.4\.2: staging succeeded, production_aks succeeded, production_oke failed/);
    assert.match(
      out,
      /1\.4\.3: platform succeeded, staging succeeded, production_aks succeeded, production_oke succeeded/,
    );
    assert.doesNotMatch(out, /unexpected:/);
  });

  it('1.4.3 runs everywhere: the matrix the hub computes from what the host serves', () => {
    assert.deepEqual(
      data.runs.map((r) => r.run.id).sort(),
      [3101, 3102, 3103],
      'one run per release, nothing partial: ' + JSON.stringify(data.partial),
    );
    const matrix = buildMatrix(data.records, data.stageOrder);
    assert.deepEqual(matrix.environments, ['oci-platform', ...PROD]);
    const web = matrix.rows.find((r) => r.key === WEB)!;
    for (const env of PROD) {
      const current = web.cells[env].current!;
      assert.equal(current.run.buildId, '3103', env);
      assert.deepEqual(matrix.tagsByDigest.get(current.artifact!.digest!), ['1.4.3'], env);
      assert.equal(web.cells[env].latest, undefined, `${env}: nothing newer failed`);
      // Production AKS releases blue/green (preview, switch); staging AKS and OKE by canary.
      assert.equal(current.details.strategy, env === 'aks-production' ? 'blueGreen' : 'canary', env);
    }
  });

  it('1.4.2: promoted with a verified signature, aborted on OKE by its metric, 100% back to stable', async () => {
    const promotions = data.records.filter((r) => r.task === 'AcrPromote' && r.run.buildId === '3102');
    assert.equal(promotions.length, 2);
    // The hub's record spec (tasks/common/record/spec.ts) keeps no verification facts yet: read the
    // attachments the host serves as they are.
    for (const ref of await getLedgerAttachments(api, 3102)) {
      const raw = JSON.parse(await getLedgerAttachment(api, 3102, ref)) as LedgerRecord;
      if (raw.task !== 'AcrPromote') continue;
      assert.equal((raw.details.verification as { passed?: boolean }).passed, true, ref.name);
      assert.match(String(raw.details.verified), /signed \(cosignKey\)/);
    }
    const oke = of('CanaryShift', 3102, 'oke-production');
    assert.equal(oke.length, 1);
    assert.equal(oke[0].status, 'failed');
    assert.equal(oke[0].details.outcome, 'aborted');
    assert.match(oke[0].error ?? '', /0\.93 does not satisfy result >= 0\.99/);
    assert.equal(of('CanaryShift', 3102, 'aks-production')[0].details.outcome, 'promoted');
    const run = data.runs.find((r) => r.run.id === 3102)!.run;
    assert.equal(run.result, 'failed');
    // The OKE cell's history, as the hub opens it: 1.4.3 on top of the aborted 1.4.2, on top of 1.4.1.
    const history = cellHistory(data.records, WEB, 'oke-production').filter((r) => r.task === 'CanaryShift');
    assert.deepEqual(
      history.map((r) => [r.run.buildId, r.details.outcome]),
      [
        ['3103', 'promoted'],
        ['3102', 'aborted'],
        ['3101', 'promoted'],
      ],
    );
  });

  it('1.4.1: production waited for an approval, decided by Dana Okafor, read through the Approvals API', async () => {
    const view = await loadRunView(api, 3101);
    assert.deepEqual(
      view.stages.map((s) => [s.identifier, s.result]),
      [
        ['platform', 'succeeded'],
        ['staging', 'succeeded'],
        ['production_aks', 'succeeded'],
        ['production_oke', 'succeeded'],
      ],
    );
    for (const stage of view.stages.filter((s) => s.identifier!.startsWith('production'))) {
      const gate = stage.gates.find((g) => g.kind === 'approval')!;
      assert.equal(gate.result, 'succeeded');
      assert.deepEqual(
        gate.approvers.map((a) => [a.name, a.status]),
        [['Dana Okafor', 'approved']],
      );
      assert.match(gate.approvers[0].comment ?? '', /green on staging/);
    }
    assert.equal(view.stages.find((s) => s.identifier === 'staging')!.gates.length, 0, 'staging has no check');
  });

  it('1.4.3: a rotated secret updated, a revoked one disabled in OCI Vault, the database scaled', () => {
    const [sync] = of('KeyVaultToOci', 3103, 'oci-platform');
    const secrets = sync.details.secrets as { source: string; outcome: string }[];
    const outcome = (s: string): string | undefined => secrets.find((x) => x.source === s)?.outcome;
    assert.equal(outcome('orders-admin-password'), 'updated');
    assert.equal(outcome('payments-api-key'), 'unchanged');
    assert.equal(outcome('payments-webhook-secret'), 'disabled');
    const [scale] = of('OracleDbProvision', 3103, 'oci-platform');
    assert.equal(scale.details.action, 'scale');
    assert.equal(scale.status, 'succeeded');
    assert.match(scale.summary, /scaled/);
    const [first] = of('KeyVaultToOci', 3101, 'oci-platform');
    assert.equal(first.details.created, 3);
  });

  describe('the hub in the (fake) Azure DevOps host, in Chromium', () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => browser?.close());

    // One page, each test loading its URL in it: a second page started another renderer and compiled the
    // host's and the hub's code again.
    let shared: Promise<Page> | undefined;
    async function open(url: string): Promise<{ page: Page; hub: FrameLocator }> {
      shared ??= browser.newPage({ viewport: { width: 1400, height: 1250 } });
      const page = await shared;
      await page.goto(url);
      return { page, hub: page.frameLocator('iframe') };
    }

    it('matrix: 1.4.3 in every environment, the approver on each gated cell; the OKE history shows 1.4.2 aborted', async () => {
      const { page, hub } = await open(hostUrl.toString());
      await hub.locator('[data-testid=matrix]').waitFor();
      for (const env of PROD)
        await hub.getByRole('button', { name: `History of shop/web in ${env}: 1.4.3` }).waitFor({ timeout: 15_000 });
      // The two production environments carry an Approval check (APPROVAL_ENVIRONMENTS): their cells name who approved.
      const cellApprovers = hub.locator('[data-testid=cell-approver]');
      await cellApprovers.nth(1).waitFor({ timeout: 15_000 });
      const approvals = await cellApprovers.allTextContents();
      assert.ok(
        approvals.length >= 2 && approvals.every((a) => /approved by Dana Okafor/.test(a)),
        approvals.join('\n'),
      );
      await page.screenshot({ path: path.join(SHOTS, 'matrix.png') });
      await hub.getByRole('button', { name: 'History of shop/web in oke-production: 1.4.3' }).click();
      // The marker sits in each row's first cell (azure-devops-ui Table); the row is the table row holding it.
      const rows = hub.locator('.mcd-history-table [role=row]', { has: hub.locator('[data-testid=history-row]') });
      await rows.first().waitFor();
      const texts = await rows.allTextContents();
      assert.ok(
        texts.some((t) => /aborted/.test(t) && /2026\.11\.2/.test(t)),
        `an aborted 1.4.2 canary (run 2026.11.2) in:\n${texts.join('\n')}`,
      );
      await page.screenshot({ path: path.join(SHOTS, 'oke-history.png') });
    });

    it('run 1.4.1: the production approvals show their approver in the run view too', async () => {
      const url = new URL(hostUrl);
      url.searchParams.set('kind', 'run-tab');
      url.searchParams.set('frame', url.searchParams.get('frame')!.replace('hub.html', 'run-tab.html'));
      url.searchParams.set('buildId', '3101');
      const { page, hub } = await open(url.toString());
      await hub.locator('[data-testid=stage-strip]').waitFor();
      const approvers = await hub.locator('[data-testid=approver]').allTextContents();
      assert.equal(approvers.length, 2, approvers.join('\n'));
      for (const a of approvers) assert.match(a, /approved by Dana Okafor/);
      await page.screenshot({ path: path.join(SHOTS, 'run-1.4.1.png') });
    });
  });

  // Last (mocha runs a suite's own tests before its child suites): after the browser has looked.
  describe('Ctrl-C', () => {
    it('stops the hub, the host and every stand-in, then exits 0', async () => {
      child.kill('SIGINT');
      assert.equal(await exited, 0, out.slice(-2000));
      await assert.rejects(fetch(hostUrl.toString()), 'the host page is gone');
      await assert.rejects(fetch(hostUrl.searchParams.get('collection')!), 'the REST surface is gone');
    });
  });
});
