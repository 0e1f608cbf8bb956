import * as assert from 'node:assert/strict';
import { desiredMeta, disabledMeta, metaDiff, originTags, ownerOf } from '../../tasks/KeyVaultToOci/metadata';
import { planRemoved } from '../../tasks/KeyVaultToOci/removed';
import { parseSelection } from '../../tasks/KeyVaultToOci/selection';
import { OwnedSecret, SourceSecret } from '../../tasks/KeyVaultToOci/sync-model';
import { KEY, KvWorld, VAULT, runInProcess, startWorld } from '../../devkit/stand-ins/kv-world';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const rules = (text: string) => {
  const parsed = parseSelection(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
const owned = (source: string, extra: Partial<OwnedSecret> = {}): OwnedSecret => ({
  id: `o-${source}`,
  name: source,
  source,
  lifecycleState: 'ACTIVE',
  disabled: false,
  ...extra,
});
const src = (name: string, enabled = true): SourceSecret => ({ name, enabled });

describe('KeyVaultToOci revocation and metadata (pure)', () => {
  const cases: {
    why: string;
    secrets: string;
    owned: OwnedSecret[];
    listed: SourceSecret[];
    policy: 'keep' | 'disable' | 'scheduleDeletion';
    want: string[];
  }[] = [
    {
      why: 'deleted source, keep → kept',
      secrets: '*',
      owned: [owned('a')],
      listed: [],
      policy: 'keep',
      want: ['a:kept'],
    },
    {
      why: 'disabled source, disable → disable',
      secrets: '*',
      owned: [owned('a')],
      listed: [src('a', false)],
      policy: 'disable',
      want: ['a:disable'],
    },
    {
      why: 'deleted source, scheduleDeletion',
      secrets: 'a',
      owned: [owned('a')],
      listed: [],
      policy: 'scheduleDeletion',
      want: ['a:scheduleDeletion'],
    },
    {
      why: 'enabled source → nothing',
      secrets: '*',
      owned: [owned('a')],
      listed: [src('a')],
      policy: 'disable',
      want: [],
    },
    {
      why: 'outside the selection → never touched',
      secrets: 'db-*',
      owned: [owned('a')],
      listed: [],
      policy: 'scheduleDeletion',
      want: [],
    },
    {
      why: 'mapping renamed → old target not revoked',
      secrets: 'a => new-a',
      owned: [owned('a')],
      listed: [],
      policy: 'scheduleDeletion',
      want: [],
    },
    {
      why: 'mapped target revoked',
      secrets: 'a => shop.a',
      owned: [owned('a', { name: 'shop.a' })],
      listed: [],
      policy: 'disable',
      want: ['a:disable'],
    },
    {
      why: 'already disabled → unchanged',
      secrets: '*',
      owned: [owned('a', { disabled: true })],
      listed: [src('a', false)],
      policy: 'disable',
      want: ['a:unchanged'],
    },
    {
      why: 'already pending deletion → unchanged',
      secrets: '*',
      owned: [owned('a', { lifecycleState: 'PENDING_DELETION' })],
      listed: [],
      policy: 'scheduleDeletion',
      want: ['a:unchanged'],
    },
    {
      why: 'updating → blocked until ACTIVE',
      secrets: '*',
      owned: [owned('a', { lifecycleState: 'UPDATING' })],
      listed: [],
      policy: 'disable',
      want: ['a:blocked'],
    },
    {
      why: 'source names compare case-insensitively',
      secrets: '*',
      owned: [owned('DB-Pass')],
      listed: [src('db-pass')],
      policy: 'disable',
      want: [],
    },
  ];
  for (const c of cases) {
    it(`plans removal: ${c.why}`, () => {
      assert.deepEqual(
        planRemoved(c.owned, rules(c.secrets), c.listed, c.policy).map((i) => `${i.source}:${i.action}`),
        c.want,
      );
    });
  }

  it('recognises only its own tags, for this vault, in the 0.1 and the current form', () => {
    assert.equal(ownerOf(originTags({ vault: 'kv-shop', secret: 'db' }), 'KV-SHOP'), 'db');
    assert.equal(ownerOf(originTags({ vault: 'kv-shop', secret: 'db' }), 'kv-other'), undefined);
    assert.equal(
      ownerOf({ 'synced-by': 'multicloud-devsecops', 'synced-from': 'Azure Key Vault kv-shop/db' }, 'kv-shop'),
      'db',
    );
    assert.equal(
      ownerOf({ 'synced-from': 'Azure Key Vault kv-shop/db' }, 'kv-shop'),
      undefined,
      'synced-by is required',
    );
    assert.equal(ownerOf({ team: 'x' }, 'kv-shop'), undefined);
  });

  it('maps tags, content type and expiry within OCI limits', () => {
    const exp = new Date(NOW.getTime() + 10 * DAY + 123);
    const d = desiredMeta(
      {
        name: 'a',
        enabled: true,
        contentType: 'application/x-pem-file',
        tags: { env: 'prod', 'bad key': 'x', 'synced-by': 'someone' },
        expiresOn: exp,
      },
      'kv-shop',
      NOW,
    );
    assert.equal(d.meta.freeformTags.env, 'prod');
    assert.equal(d.meta.freeformTags['synced-by'], 'multicloud-devsecops', 'our tags win');
    assert.equal(d.meta.freeformTags['bad key'], undefined);
    assert.match(d.notes.join(), /tag 'bad key' not carried/);
    assert.equal(d.meta.contentType, 'application/x-pem-file');
    assert.equal(d.meta.expiry, new Date(Math.floor(exp.getTime() / 1000) * 1000).toISOString());
    assert.equal(d.meta.blockedOnExpiry, true);
    for (const [ahead, carried] of [
      [DAY / 2, false],
      [DAY, true],
      [365 * DAY, true],
      [366 * DAY, false],
    ] as const) {
      const m = desiredMeta({ name: 'a', enabled: true, expiresOn: new Date(NOW.getTime() + ahead) }, 'kv-shop', NOW);
      assert.equal(m.meta.expiry !== undefined, carried, `${ahead / DAY} days ahead`);
      assert.equal(m.notes.length, carried ? 0 : 1);
    }
  });

  it('diffs metadata field by field, and disabling adds a marker that re-enabling removes', () => {
    const want = desiredMeta({ name: 'a', enabled: true, contentType: 'text/plain' }, 'kv-shop', NOW).meta;
    assert.deepEqual(metaDiff(want, want), []);
    assert.deepEqual(metaDiff(want, { ...want, contentType: undefined }), ['contentType']);
    const disabled = disabledMeta(want, NOW);
    assert.ok(new Date(disabled.expiry!).getTime() >= NOW.getTime() + DAY, "OCI's earliest expiry");
    assert.equal(disabled.blockedOnExpiry, true);
    assert.deepEqual(metaDiff(want, disabled), ['tags', 'expiry']);
  });
});

describe('KeyVaultToOci revocation and metadata (in process, real SDKs against emulators)', function () {
  this.timeout(30_000);
  let world: KvWorld;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());
  const writes = (from: number): string[] =>
    world.oci.requests
      .slice(from)
      .filter((r) => !['ListSecrets', 'GetSecret', 'GetSecretBundle'].includes(r.op))
      .map((r) => `${r.op} ${r.secretName}`);

  it('disables in OCI a secret disabled in Key Vault when asked, warns by default, and re-enables it', async () => {
    world.kv.set('db-password', 'pw-1', { contentType: 'text/plain', tags: { app: 'orders' } });
    world.kv.set('api-token', 'token-value-1');
    const first = await runInProcess(world, { secrets: 'db-password, api-token' });
    assert.notEqual(first.host.result?.result, 'Failed', first.visible);
    const db = world.oci.secretByName(VAULT, 'db-password')!;
    assert.equal(db.freeformTags.app, 'orders');
    assert.equal(db.freeformTags['source-secret'], 'db-password');
    assert.deepEqual(db.metadata, { contentType: 'text/plain' });

    world.kv.update('db-password', { enabled: false });
    let mark = world.oci.requests.length;
    const kept = await runInProcess(world, { secrets: 'db-password, api-token' });
    assert.notEqual(kept.host.result?.result, 'Failed', kept.visible);
    assert.match(
      kept.host.lines.join('\n'),
      /warning: 1 OCI secret\(s\) created by this task have a deleted or disabled Key Vault source and stay active: db-password \(disabled in Key Vault\)/,
    );
    assert.deepEqual(writes(mark), [], 'keep (the default) changes nothing');
    assert.equal(kept.host.outputs.revoked, '0');

    mark = world.oci.requests.length;
    const revoke = await runInProcess(world, { secrets: 'db-password, api-token', onSourceRemoved: 'disable' });
    assert.notEqual(revoke.host.result?.result, 'Failed', revoke.visible);
    assert.deepEqual(writes(mark), ['UpdateSecret db-password']);
    assert.equal(db.freeformTags['source-state'], 'disabled');
    const rule = db.secretRules!.find((r) => r.ruleType === 'SECRET_EXPIRY_RULE')!;
    assert.equal(rule.isSecretContentRetrievalBlockedOnExpiry, true);
    assert.equal(revoke.host.outputs.revoked, '1');
    const secrets = revoke.record!.details.secrets as { source: string; outcome: string }[];
    assert.deepEqual(
      secrets.map((s) => [s.source, s.outcome]),
      [
        ['api-token', 'unchanged'],
        ['db-password', 'disabled'],
      ],
    );

    mark = world.oci.requests.length;
    const again = await runInProcess(world, { secrets: 'db-password, api-token', onSourceRemoved: 'disable' });
    assert.notEqual(again.host.result?.result, 'Failed', again.visible);
    assert.deepEqual(writes(mark), [], 'second run: already disabled, nothing written');

    world.kv.update('db-password', { enabled: true });
    const back = await runInProcess(world, { secrets: 'db-password, api-token', onSourceRemoved: 'disable' });
    assert.notEqual(back.host.result?.result, 'Failed', back.visible);
    assert.equal(db.freeformTags['source-state'], undefined, 'marker lifted');
    assert.deepEqual(db.secretRules, []);
    assert.equal(db.versions.length, 1, 'no new version for metadata');
  });

  it('schedules the deletion of a secret deleted from Key Vault, and never touches one it did not create', async () => {
    world.kv.set('db-password', 'pw');
    await runInProcess(world, { secrets: 'db-password' });
    // Same name as a Key Vault secret that is gone, but created by someone else: no tags.
    const foreign = world.oci.seed({
      vaultId: VAULT,
      compartmentId: world.inputs.compartmentId,
      keyId: KEY,
      name: 'legacy',
      content: 'theirs',
    });
    world.kv.remove('db-password');
    const run = await runInProcess(world, { secrets: 'db-password\nlegacy*', onSourceRemoved: 'scheduleDeletion' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    const db = world.oci.secretByName(VAULT, 'db-password')!;
    assert.equal(db.lifecycleState, 'PENDING_DELETION');
    const days = (new Date(db.timeOfDeletion!).getTime() - Date.now()) / DAY;
    assert.ok(days > 29.9 && days <= 30, `OCI's default window (${days} days)`);
    assert.equal(foreign.lifecycleState, 'ACTIVE');
    assert.ok(!world.oci.requests.some((r) => r.secretName === 'legacy' && r.op !== 'ListSecrets'));
    assert.match(run.host.lines.join('\n'), /delete\s+db-password: deleted from Key Vault/);
    const mark = world.oci.requests.length;
    const again = await runInProcess(world, { secrets: 'db-password\nlegacy*', onSourceRemoved: 'scheduleDeletion' });
    assert.notEqual(again.host.result?.result, 'Failed', again.visible);
    assert.deepEqual(writes(mark), []);
  });

  it('keeps tags and content type in step without new versions, and records Key Vault and OCI versions', async () => {
    const exp = Math.floor(Date.now() / 1000) + 30 * 86_400;
    world.kv.set('cert', 'pem', { contentType: 'application/x-pem-file', tags: { owner: 'team-a' }, expiresOn: exp });
    const first = await runInProcess(world, { secrets: 'cert' });
    assert.notEqual(first.host.result?.result, 'Failed', first.visible);
    const cert = world.oci.secretByName(VAULT, 'cert')!;
    assert.equal(new Date(String(cert.secretRules![0].timeOfAbsoluteExpiry)).getTime(), exp * 1000);
    world.kv.update('cert', { tags: { owner: 'team-b' } });
    const run = await runInProcess(world, { secrets: 'cert' });
    assert.notEqual(run.host.result?.result, 'Failed', run.visible);
    assert.match(run.host.lines.join('\n'), /metadata\s+cert \[tags\]/);
    assert.equal(cert.freeformTags.owner, 'team-b');
    assert.equal(cert.versions.length, 1);
    const [rec] = run.record!.details.secrets as { sourceVersion: string; version: number; metaChanges: string[] }[];
    assert.match(rec.sourceVersion, /^[0-9a-f]{32}$/);
    assert.equal(rec.version, 1);
    assert.deepEqual(rec.metaChanges, ['tags']);
    const none = await runInProcess(world, { secrets: 'cert', copyMetadata: 'true' });
    assert.deepEqual(none.host.outputs, { created: '0', updated: '0', unchanged: '1', revoked: '0' });
  });

  it('requires the secrets input: no implicit whole vault', async () => {
    world.kv.set('a', 'x');
    const run = await runInProcess(world, { secrets: '' });
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(run.host.result.message, /secrets/);
    assert.equal(world.oci.requests.length, 0);
  });
});
