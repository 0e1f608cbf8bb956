import * as assert from 'node:assert/strict';
import {
  getApprovals,
  getBuildTimeline,
  getBuilds,
  getDeploymentRecords,
  getEnvironments,
  getLedgerAttachments,
} from '../../hub/src/data/ado-api';
import { approvalIds, stageOrderFromTimeline, timelineToStages } from '../../hub/src/data/timeline-gates';
import type { AdoApproval, AdoTimelineRecord } from '../../hub/src/data/ado-api';
import { recordedApi } from '../../devkit/ado-host/fake-fetch';

describe('hub data: timeline → stage gates (recorded REST responses)', () => {
  const recorded = (): ReturnType<typeof recordedApi> =>
    recordedApi([
      [/build\/builds\/1042\/timeline\?/, '../timeline-1042.json'],
      [/pipelines\/approvals\?approvalIds=e0000000-0000-4000-8000-000000000041&/, '../approvals-1042.json'],
    ]);

  it('turns the recorded timeline and approvals into ordered stages with gates, approvers and durations', async () => {
    const { api, rec } = recorded();
    const timeline = await getBuildTimeline(api, 1042);
    const ids = approvalIds(timeline);
    assert.deepEqual(ids, ['e0000000-0000-4000-8000-000000000041']);
    const stages = timelineToStages(timeline, await getApprovals(api, ids));
    assert.equal(rec.log.length, 2);
    assert.match(rec.log[1], /\$expand=steps/);
    assert.deepEqual(
      stages.map((s) => s.name),
      ['Build', 'Dev', 'Staging', 'Production'],
    );
    const staging = stages[2];
    assert.deepEqual(
      staging.gates.map((g) => [g.kind, g.name, g.result]),
      [['check', 'Query Azure Monitor alerts', 'succeeded']],
    );
    assert.equal(staging.gates[0].durationMs, 301_500);
    assert.equal(staging.waitMs, 301_700);
    const prod = stages[3];
    assert.deepEqual(
      prod.gates.map((g) => g.kind),
      ['approval', 'check'],
    );
    const approval = prod.gates[0];
    assert.deepEqual(approval.approvers, [
      { name: 'Dana Okafor', status: 'approved', when: '2026-11-20T10:14:27.1Z', comment: 'Staging soak clean, go.' },
    ]);
    assert.equal(approval.instructions, 'Check the staging dashboard before approving.');
    assert.equal(approval.durationMs, 43 * 60_000 + 24_000);
    assert.equal(prod.waitMs, 43 * 60_000 + 24_200);
    assert.deepEqual(
      prod.jobs.map((j) => j.name),
      ['Canary to shop-prod'],
    );
    assert.deepEqual(stageOrderFromTimeline(timeline), ['build', 'dev', 'staging', 'prod']);
  });

  const stage = (extra: Partial<AdoTimelineRecord> = {}): AdoTimelineRecord => ({
    id: 's1',
    type: 'Stage',
    name: 'Prod',
    identifier: 'prod',
    order: 1,
    state: 'inProgress',
    ...extra,
  });
  const cp: AdoTimelineRecord = {
    id: 'c1',
    parentId: 's1',
    type: 'Checkpoint',
    name: 'Checkpoint',
    state: 'inProgress',
    startTime: '2026-11-20T10:00:00Z',
  };
  const cases: {
    name: string;
    records: AdoTimelineRecord[];
    approvals?: AdoApproval[];
    expect: (s: ReturnType<typeof timelineToStages>) => void;
  }[] = [
    {
      name: 'a pending approval has no decision yet and no duration',
      records: [
        stage(),
        cp,
        {
          id: 'A1',
          parentId: 'c1',
          type: 'Checkpoint.Approval',
          name: 'Approval',
          state: 'inProgress',
          startTime: '2026-11-20T10:00:00Z',
        },
      ],
      approvals: [
        {
          id: 'a1',
          status: 'pending',
          steps: [{ assignedApprover: { displayName: 'Release Managers' }, status: 'pending' }],
        },
      ],
      expect: ([s]) => {
        assert.equal(s.gates[0].state, 'inProgress');
        assert.equal(s.gates[0].result, undefined);
        assert.equal(s.gates[0].durationMs, undefined);
        assert.deepEqual(s.gates[0].approvers, [
          { name: 'Release Managers', status: 'pending', when: undefined, comment: undefined },
        ]);
      },
    },
    {
      name: 'a rejected approval carries the rejecter and the result even if the record has none',
      records: [
        stage({ state: 'completed', result: 'failed' }),
        cp,
        { id: 'a2', parentId: 'c1', type: 'Checkpoint.Approval', name: 'Approval', state: 'completed' },
      ],
      approvals: [
        {
          id: 'a2',
          status: 'rejected',
          lastModifiedOn: '2026-11-20T11:00:00Z',
          steps: [{ actualApprover: { displayName: 'Lee Chen' }, status: 'rejected', comment: 'not today' }],
        },
      ],
      expect: ([s]) => {
        assert.equal(s.gates[0].result, 'rejected');
        assert.deepEqual(s.gates[0].approvers[0], {
          name: 'Lee Chen',
          status: 'rejected',
          when: '2026-11-20T11:00:00Z',
          comment: 'not today',
        });
      },
    },
    {
      name: 'other checkpoint kinds are checks, ordered by their order',
      records: [
        stage(),
        cp,
        { id: 'x2', parentId: 'c1', type: 'Checkpoint.ExtendsCheck', name: 'Extends template', order: 2 },
        { id: 'x1', parentId: 'c1', type: 'Checkpoint.TaskCheck', name: 'Invoke REST API', order: 1 },
      ],
      expect: ([s]) =>
        assert.deepEqual(
          s.gates.map((g) => [g.kind, g.name, g.state]),
          [
            ['check', 'Invoke REST API', 'pending'],
            ['check', 'Extends template', 'pending'],
          ],
        ),
    },
    {
      name: 'stages sort by order and keep their attempt; a stage without checks has no wait',
      records: [stage({ id: 's2', name: 'B', order: 2, attempt: 2 }), stage({ id: 's3', name: 'A', order: 1 })],
      expect: (s) => {
        assert.deepEqual(
          s.map((x) => [x.name, x.attempt, x.waitMs]),
          [
            ['A', 1, undefined],
            ['B', 2, undefined],
          ],
        );
      },
    },
    {
      name: 'approvals the API did not return leave the gate without approvers',
      records: [
        stage(),
        cp,
        {
          id: 'a9',
          parentId: 'c1',
          type: 'Checkpoint.Approval',
          name: 'Approval',
          state: 'completed',
          result: 'succeeded',
        },
      ],
      expect: ([s]) => assert.deepEqual([s.gates[0].result, s.gates[0].approvers], ['succeeded', []]),
    },
  ];
  for (const c of cases) it(c.name, () => c.expect(timelineToStages(c.records, c.approvals)));

  it('reads builds across continuation tokens, the ledger attachment list and environments from recorded answers', async () => {
    const { api, rec } = recordedApi([
      [/build\/builds\?.*continuationToken=page2/, 'builds-page-2.json'],
      [/build\/builds\?/, { headers: { 'x-ms-continuationtoken': 'page2' }, file: 'builds-page-1.json' }],
      [/build\/builds\/1042\/attachments\/multicloud-devsecops\.ledger\?/, 'attachments-1042.json'],
      [/distributedtask\/environments\?/, 'environments.json'],
      [/distributedtask\/environments\/5\/environmentdeploymentrecords\?top=1&/, 'deployment-records-5.json'],
    ]);
    const runs = await getBuilds(api, { statusFilter: 'all' }, 10);
    assert.deepEqual(
      runs.map((r) => [r.id, r.status, r.definitionName, r.requestedFor]),
      [
        [1043, 'inProgress', 'shop-release', 'Dana Okafor'],
        [1042, 'completed', 'shop-release', 'Dana Okafor'],
        [1041, 'completed', 'shop-release', 'Dana Okafor'],
      ],
    );
    assert.match(rec.log[0], /statusFilter=all/);
    assert.match(rec.log[1], /continuationToken=page2/);
    const refs = await getLedgerAttachments(api, 1042);
    assert.deepEqual(refs[1], {
      name: 'CanaryShift-0b6e3d2c-8f4a-4c1e-b7d2-5a9e1f3c7d20',
      timelineId: 'f00d0000-0000-4000-8000-000000001042',
      recordId: 'c0000000-0000-4000-8000-000000000004',
    });
    assert.deepEqual(
      (await getEnvironments(api)).map((e) => e.name),
      ['shop-dev', 'shop-staging', 'shop-prod'],
    );
    const [dep] = await getDeploymentRecords(api, 5, 1);
    assert.deepEqual([dep.owner?.id, dep.stageName, dep.result], [1042, 'prod', 'succeeded']);
    assert.ok(
      rec.log.every((l) => /api-version=7\.1/.test(l)),
      'every call names an api-version',
    );
  });
});
