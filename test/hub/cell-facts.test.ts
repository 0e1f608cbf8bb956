import * as assert from 'node:assert/strict';
import { loadHubData } from '../../hub/src/data/ledger-loader';
import { buildMatrix } from '../../hub/src/data/matrix';
import { environmentDiff, rollbackHint } from '../../hub/src/data/env-diff';
import { gateOf } from '../../hub/src/data/run-gates';
import { MemoryDocumentStore } from '../../hub/src/data/run-cache';
import { hubLinks } from '../../hub/src/ado/links';
import { FakeAdo } from '../../devkit/ado-host/fake-ado';
import { COLLECTION, fakeAdoApi } from '../../devkit/ado-host/fake-fetch';
import { generatedRecords } from '../../devkit/ado-host/generated-records';
import { sampleData } from '../../devkit/ado-host/sample-data';

/** Beyond the anchors, on records the packaged tasks wrote: approver per cell, environment diff, rollback hint. */
describe('hub data: approver per cell, environment diff, rollback hint', () => {
  it('each cell knows who approved its version, from the Approvals API answer for the stage that placed it', async () => {
    const { records, timelines } = sampleData({ runs: 12 });
    const ado = new FakeAdo({ records, timelines });
    const store = new MemoryDocumentStore();
    const { api, rec } = fakeAdoApi(ado);
    const first = await loadHubData({ api, store });
    await first.persisted;
    const m = buildMatrix(first.data.records, first.data.stageOrder);
    const prod = m.rows.find((r) => r.key === 'a:shop/web')!.cells['shop-prod'].current!;
    const runId = Number(prod.run.buildId);
    const entry = first.data.runs.find((e) => e.run.id === runId);
    const gate = gateOf(entry, prod)!;
    const answer = (
      timelines[String(runId)].approvals.value as { steps: { actualApprover: { displayName: string } }[] }[]
    )[0];
    assert.equal(gate.stage, 'prod');
    assert.deepEqual(
      gate.approvers.map((a) => [a.name, a.status]),
      [[answer.steps[0].actualApprover.displayName, 'approved']],
    );
    assert.equal(rec.count(new RegExp(`pipelines/approvals\\?approvalIds=${gate.approvalId}&`)), 1);
    const stageRecord = (timelines[String(runId)].timeline.records as { id: string; identifier?: string }[]).find(
      (r) => r.identifier === 'prod',
    )!;
    assert.equal(
      hubLinks(COLLECTION, 'shop').stage(runId, gate.stageId),
      `${COLLECTION}shop/_build/results?buildId=${runId}&view=logs&s=${stageRecord.id}`,
    );
    // Cached with the run: a warm load knows the approver without asking again.
    const warm = fakeAdoApi(ado);
    const second = await loadHubData({ api: warm.api, store });
    assert.equal(warm.rec.count(/approvals|timeline/), 0, warm.rec.log.join('\n'));
    assert.deepEqual(
      gateOf(
        second.data.runs.find((e) => e.run.id === runId),
        prod,
      )?.approvers,
      gate.approvers,
    );
  });

  const scenario = (...names: string[]) =>
    generatedRecords()
      .filter((g) => names.includes(g.scenario))
      .map((g) => g.record);

  it('compares two environments: what each runs and whether it differs', () => {
    const m = buildMatrix(scenario('success', 'abort'));
    const diff = environmentDiff(m, 'shop-staging', 'shop-prod');
    const web = diff.find((d) => d.key === 'a:shop/web')!;
    assert.equal(web.a!.version, '1.4.3', 'staging got the aborted run’s 1.4.3');
    assert.equal(web.b!.version, '1.4.2', 'prod still runs 1.4.2: the canary of 1.4.3 was aborted');
    assert.equal(web.same, false);
    assert.ok(diff.filter((d) => d.key !== 'a:shop/web').every((d) => d.a && !d.b && !d.same));
    assert.ok(environmentDiff(m, 'shop-prod', 'shop-prod').every((d) => d.same));
  });

  it('rollback hint: the version in place before the current one and the run that put it there', () => {
    const records = scenario('success', 'abort');
    const m = buildMatrix(records);
    const hint = rollbackHint(records, m, 'a:shop/web', 'shop-staging')!;
    assert.equal(hint.version, '1.4.2');
    assert.equal(hint.record.run.buildId, '1041');
    assert.equal(hint.record.task, 'AcrPromote');
    // In prod only a promoted canary ever served traffic: nothing older to go back to.
    assert.equal(rollbackHint(records, m, 'a:shop/web', 'shop-prod'), undefined);
  });
});
