import * as assert from 'node:assert/strict';
import { planItem, selectSecrets, tally } from '../../tasks/KeyVaultToOci/planner';
import { describePartialFailure, renderPlan } from '../../tasks/KeyVaultToOci/report';
import { parseSelection } from '../../tasks/KeyVaultToOci/selection';
import { SinkState, SourceSecret, SyncResult } from '../../tasks/KeyVaultToOci/sync-model';

const NOW = new Date('2026-11-23T12:00:00Z');
const rules = (text: string) => {
  const parsed = parseSelection(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const s = (name: string, extra: Partial<SourceSecret> = {}): SourceSecret => ({ name, enabled: true, ...extra });

describe('KeyVaultToOci planner', () => {
  const listed = [
    s('db-password'),
    s('db-user'),
    s('api-key'),
    s('old', { enabled: false }),
    s('expired', { expiresOn: new Date('2026-11-23T11:59:59Z') }),
    s('future', { notBefore: new Date('2026-11-24T00:00:00Z') }),
    s('edge-exp', { expiresOn: NOW }),
    s('edge-nbf', { notBefore: NOW }),
  ];
  const selectionCases: {
    why: string;
    secrets: string;
    selected: string[];
    skipped?: string[];
    missing?: string[];
    collisions?: number;
  }[] = [
    {
      why: 'star selects every usable secret',
      secrets: '*',
      selected: ['api-key', 'db-password', 'db-user', 'edge-nbf'],
      skipped: ['edge-exp', 'expired', 'future', 'old'],
    },
    { why: 'glob', secrets: 'db-*', selected: ['db-password', 'db-user'] },
    { why: 'comma list, case-insensitive names', secrets: 'API-KEY, db-user', selected: ['api-key', 'db-user'] },
    { why: 'mapping renames', secrets: 'db-password => shop.db.password', selected: ['db-password→shop.db.password'] },
    {
      why: 'mapping wins over glob',
      secrets: 'db-*\ndb-user => shop-user',
      selected: ['db-password', 'db-user→shop-user'],
    },
    { why: 'named but absent', secrets: 'db-user, nope', selected: ['db-user'], missing: ['nope'] },
    { why: 'glob matching nothing is not an error', secrets: 'zz-*', selected: [] },
    {
      why: 'a disabled secret named explicitly is skipped, not missing',
      secrets: 'old',
      selected: [],
      skipped: ['old'],
    },
    {
      why: 'glob and mapping onto the same OCI name collide',
      secrets: 'db-user\ndb-password => DB-USER',
      selected: ['db-password→DB-USER', 'db-user'],
      collisions: 1,
    },
  ];
  for (const c of selectionCases) {
    it(`selects: ${c.why}`, () => {
      const out = selectSecrets(rules(c.secrets), listed, NOW);
      assert.deepEqual(
        out.selected.map((x) => (x.source === x.target ? x.source : `${x.source}→${x.target}`)),
        c.selected,
      );
      assert.deepEqual(
        out.skipped.map((x) => x.source),
        c.skipped ?? [],
      );
      assert.deepEqual(out.missing, c.missing ?? []);
      assert.equal(out.collisions.length, c.collisions ?? 0);
    });
  }

  const content = Buffer.from('v2').toString('base64');
  const planCases: { why: string; state: SinkState; restore?: boolean; action: string; reason?: RegExp }[] = [
    { why: 'missing → create', state: { kind: 'missing' }, action: 'create' },
    {
      why: 'same bytes → unchanged',
      state: { kind: 'present', id: 'o1', version: 3, content, meta: { freeformTags: {} } },
      action: 'unchanged',
    },
    {
      why: 'different bytes → update',
      state: {
        kind: 'present',
        id: 'o1',
        version: 3,
        content: Buffer.from('v1').toString('base64'),
        meta: { freeformTags: {} },
      },
      action: 'update',
    },
    {
      why: 'trailing newline differs → update',
      state: { kind: 'present', id: 'o1', content: Buffer.from('v2\n').toString('base64'), meta: { freeformTags: {} } },
      action: 'update',
    },
    {
      why: 'pending deletion → blocked with the fix',
      state: { kind: 'pendingDeletion', id: 'o1', timeOfDeletion: '2026-12-01T00:00:00.000Z' },
      action: 'blocked',
      reason: /pending deletion \(deletion scheduled for 2026-12-01.*restorePendingDeletion: true/,
    },
    {
      why: 'pending deletion + restore → restore',
      state: { kind: 'pendingDeletion', id: 'o1' },
      restore: true,
      action: 'restore',
      reason: /cancelled/,
    },
    {
      why: 'deleting → blocked',
      state: { kind: 'unavailable', id: 'o1', state: 'DELETING' },
      action: 'blocked',
      reason: /is DELETING/,
    },
  ];
  for (const c of planCases) {
    it(`plans: ${c.why}`, () => {
      const item = planItem({ source: 'a', target: 'b' }, content, c.state, c.restore ?? false);
      assert.equal(item.action, c.action);
      if (c.reason) assert.match(item.reason ?? '', c.reason);
      assert.ok(!JSON.stringify(item).includes(content), 'no value in a plan item');
    });
  }

  it('renders the plan and a partial failure with names and versions only', () => {
    const lines = renderPlan([
      { source: 'a', target: 'a', action: 'create' },
      { source: 'b', target: 'x.b', action: 'update', version: 4 },
    ]);
    assert.deepEqual(lines, ['  create       a', '  new version  b → x.b (now version 4)']);
    const results: SyncResult[] = [
      { source: 'a', target: 'a', action: 'create', outcome: 'created', version: 1 },
      { source: 'b', target: 'b', action: 'update', outcome: 'failed', message: 'boom' },
      { source: 'c', target: 'c', action: 'skipped', outcome: 'skipped' },
    ];
    assert.equal(
      describePartialFailure(results),
      '1 of 2 secrets did not sync:\n- b: boom\nSynced: a (created, version 1).\nA re-run syncs the rest; what already synced stays unchanged.',
    );
    assert.deepEqual(tally(results), {
      created: 1,
      updated: 0,
      unchanged: 0,
      skipped: 1,
      failed: 1,
      planned: 0,
      kept: 0,
      disabled: 0,
      deletionScheduled: 0,
    });
  });
});
