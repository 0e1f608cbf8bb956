import * as assert from 'node:assert/strict';
import {
  BlueGreenAction,
  BlueGreenMark,
  BlueGreenState,
  blueGreenPlan,
  readMarks,
  selectorPatch,
  writeMarks,
} from '../../tasks/CanaryShift/plan/blue-green';
import { blueGreenNeedMs } from '../../tasks/CanaryShift/plan/budget-blue-green';
import { parseAnalysisSelection } from '../../tasks/CanaryShift/options-release';

const state = (over: Partial<BlueGreenState> = {}): BlueGreenState => ({
  preview: 'absent',
  switched: false,
  leftovers: false,
  marks: [],
  stableRunsNew: false,
  ...over,
});
const all = { prePromotion: true, postPromotion: true, autoPromotion: true };
const PROMOTION = 'switch postPromotion scaleDownDelay promoteStable switchBack drain removePreview';

describe('CanaryShift blue/green plan (pure)', () => {
  it('phases left for each action from what the cluster shows', () => {
    const table: [BlueGreenAction, Partial<BlueGreenState>, typeof all, string][] = [
      // A fresh run: everything, in Argo's order.
      ['run', {}, all, `deploy prePromotion ${PROMOTION}`],
      [
        'run',
        {},
        { ...all, prePromotion: false, postPromotion: false },
        'deploy switch scaleDownDelay promoteStable switchBack drain removePreview',
      ],
      ['run', {}, { ...all, autoPromotion: false }, 'deploy prePromotion pause'],
      // Re-run after the pause: the analysis passed already; it stops at the pause again.
      ['run', { preview: 'current', marks: ['prePromotion'] }, { ...all, autoPromotion: false }, 'deploy pause'],
      // Crash after the switch: the traffic stays on the new version, the promotion goes on.
      [
        'run',
        { preview: 'current', switched: true, marks: ['prePromotion'] },
        all,
        'postPromotion scaleDownDelay promoteStable switchBack drain removePreview',
      ],
      [
        'run',
        { preview: 'current', switched: true, marks: ['prePromotion', 'postPromotion'] },
        all,
        'scaleDownDelay promoteStable switchBack drain removePreview',
      ],
      // Crash once the stable had the new spec: finish, never go back.
      [
        'run',
        { preview: 'current', switched: true, marks: ['promoting'] },
        all,
        'promoteStable switchBack drain removePreview',
      ],
      ['run', { preview: 'current', marks: ['promoting'] }, all, 'promoteStable removePreview'],
      // A new revision while an older preview has the traffic: the traffic goes back first.
      [
        'run',
        { preview: 'stale', switched: true, marks: ['postPromotion'] },
        all,
        `restore deploy prePromotion ${PROMOTION}`,
      ],
      ['run', { preview: 'stale' }, all, `deploy prePromotion ${PROMOTION}`],
      // Finished: nothing; a leftover preview Service of a crashed clean-up goes.
      ['run', { stableRunsNew: true }, all, ''],
      ['run', { stableRunsNew: true, leftovers: true }, all, 'removePreview'],
      ['deploy', {}, all, 'deploy'],
      ['deploy', { preview: 'current', switched: true }, all, ''],
      ['deploy', { preview: 'stale', switched: true }, all, 'restore deploy'],
      ['deploy', { preview: 'current', marks: ['promoting'] }, all, ''],
      ['promote', {}, all, ''],
      ['promote', { leftovers: true }, all, 'removePreview'],
      ['promote', { preview: 'current' }, all, `prePromotion ${PROMOTION}`],
      ['promote', { preview: 'current', marks: ['prePromotion'] }, all, PROMOTION],
      [
        'promote',
        { preview: 'current', switched: true, marks: ['promoting'] },
        all,
        'promoteStable switchBack drain removePreview',
      ],
      ['abort', {}, all, ''],
      ['abort', { preview: 'current' }, all, 'removePreview'],
      ['abort', { preview: 'current', switched: true }, all, 'restore removePreview'],
      ['abort', { leftovers: true }, all, 'removePreview'],
    ];
    for (const [action, s, settings, want] of table)
      assert.equal(blueGreenPlan(action, state(s), settings).join(' '), want, `${action} ${JSON.stringify(s)}`);
  });

  it('abort from any reachable state ends with the active Service on the stable pods and no preview', () => {
    const marks: BlueGreenMark[][] = [[], ['prePromotion'], ['prePromotion', 'postPromotion'], ['promoting']];
    for (const preview of ['absent', 'current', 'stale'] as const)
      for (const switched of [false, true])
        for (const m of marks) {
          const plan = blueGreenPlan('abort', state({ preview, switched, marks: m }), all);
          assert.equal(plan.includes('restore'), switched, `${preview} ${switched} ${m}`);
          assert.equal(plan.includes('removePreview'), preview !== 'absent', `${preview} ${switched} ${m}`);
          assert.ok(!plan.some((p) => p === 'switch' || p === 'promoteStable'));
        }
  });

  it('marks belong to one preview spec; the selector patch removes keys the new selector lacks', () => {
    assert.deepEqual(readMarks(writeMarks('h1', ['prePromotion', 'prePromotion', 'promoting']), 'h1'), [
      'prePromotion',
      'promoting',
    ]);
    assert.deepEqual(readMarks('h1:prePromotion', 'h2'), []);
    assert.deepEqual(readMarks('h1:bogus,postPromotion', 'h1'), ['postPromotion']);
    assert.deepEqual(readMarks(undefined, 'h1'), []);
    assert.deepEqual(
      selectorPatch(
        { app: 'web', tier: 'front' },
        { app: 'web-preview', 'x/role': 'preview' },
        { key: 'k', value: '{}' },
      ),
      {
        metadata: { annotations: { k: '{}' } },
        spec: { selector: { app: 'web-preview', 'x/role': 'preview', tier: null } },
      },
    );
  });

  it('analysis selections as users write them, and the time a blue/green action needs', () => {
    const ok = (t: string): unknown => {
      const r = parseAnalysisSelection(t);
      assert.ok(r.ok, t);
      return r.value;
    };
    assert.equal(ok(''), undefined);
    assert.deepEqual(ok('all'), {});
    assert.deepEqual(ok('error-rate, latency'), { metrics: ['error-rate', 'latency'] });
    assert.deepEqual(ok('templates:\n  - templateName: error-rate\n'), { metrics: ['error-rate'] });
    assert.deepEqual(ok('prePromotionAnalysis:\n  templates:\n  - templateName: smoke-rate\n'), {
      metrics: ['smoke-rate'],
    });
    for (const bad of ['templates: []', 'templates: [{name: x}]', '{{', 'a b'])
      assert.equal(parseAnalysisSelection(bad).ok, false, bad);
    const bg = { prePromotion: {}, postPromotion: { metrics: ['a'] }, scaleDownDelayMs: 30_000, autoPromotion: true };
    const ms = (names?: string[]): number => (names ? 1000 : 5000);
    assert.equal(blueGreenNeedMs('run', bg, ms), 5000 + 1000 + 60_000);
    assert.equal(blueGreenNeedMs('run', { ...bg, autoPromotion: false }, ms), 5000);
    assert.equal(blueGreenNeedMs('promote', { ...bg, prePromotion: undefined }, ms), 61_000);
    assert.equal(blueGreenNeedMs('abort', bg, ms), 0);
  });
});
