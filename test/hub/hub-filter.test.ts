import * as assert from 'node:assert/strict';
import { buildMatrix } from '../../hub/src/data/matrix';
import {
  HubFilter,
  emptyFilter,
  filterMatrix,
  filterRecords,
  fromParams,
  isEmpty,
  matrixRecords,
  toParams,
} from '../../hub/src/ui/hub-filter';
import { sampleData } from '../../devkit/ado-host/sample-data';

const f = (over: Partial<HubFilter>): HubFilter => ({ ...emptyFilter(), ...over });

/** The hub's filter on the records the packaged tasks wrote (generated runs of the shop-cd pipeline). */
describe('hub filter: URL form, records and matrix narrowed', () => {
  const { records } = sampleData({ runs: 8 });

  it('survives the URL: lists with commas, percent signs and slashes come back the same', () => {
    const cases: HubFilter[] = [
      emptyFilter(),
      f({ environment: ['shop-prod', 'a,b'], artifact: ['a:shop/web', 'p:KeyVaultToOci:kv%20x'] }),
      f({ pipeline: ['shop-cd'], result: ['failed', 'cancelled'], task: ['SmokeTest'], keyword: '1.4.2' }),
    ];
    for (const c of cases) {
      const q = Object.fromEntries(new URLSearchParams(new URLSearchParams(toParams(c)).toString()).entries());
      assert.deepEqual(fromParams(q), c);
    }
    // A hand-edited link with a broken escape keeps the rest.
    assert.deepEqual(
      fromParams({ env: 'shop-prod,%E0%A4%A', q: 'x' }),
      f({ environment: ['shop-prod'], keyword: 'x' }),
    );
    assert.ok(isEmpty(fromParams({ tab: 'history', runId: '7' })));
    assert.ok(!isEmpty(f({ keyword: ' x ' })));
  });

  it('narrows records by each list and by keyword over tag, digest and run number', () => {
    const web = records.find((r) => r.artifact?.repository === 'shop/web' && r.artifact.tags?.length)!;
    const table: [string, HubFilter, (r: (typeof records)[number]) => boolean][] = [
      ['environment', f({ environment: ['shop-prod'] }), (r) => r.environment === 'shop-prod'],
      ['result', f({ result: ['failed'] }), (r) => r.status === 'failed'],
      ['task', f({ task: ['SmokeTest', 'CanaryShift'] }), (r) => r.task === 'SmokeTest' || r.task === 'CanaryShift'],
      ['artifact', f({ artifact: ['a:shop/web'] }), (r) => r.artifact?.repository === 'shop/web'],
      ['pipeline', f({ pipeline: ['shop-cd'] }), (r) => r.run.pipeline === 'shop-cd'],
      ['no such pipeline', f({ pipeline: ['other'] }), () => false],
      ['run number', f({ keyword: web.run.buildNumber! }), (r) => r.run.buildNumber === web.run.buildNumber],
      [
        'digest',
        f({ keyword: web.artifact!.digest!.slice(0, 19).toUpperCase() }),
        (r) => JSON.stringify(r).includes(web.artifact!.digest!.slice(0, 19)),
      ],
    ];
    for (const [name, filter, expected] of table) {
      const got = filterRecords(records, filter);
      const want = records.filter(expected);
      assert.ok(want.length > 0 || name === 'no such pipeline', `${name}: the generated records hold some`);
      if (name === 'digest') assert.ok(got.length >= 1 && got.every((r) => want.includes(r)), name);
      else assert.deepEqual(new Set(got.map((r) => r.id)), new Set(want.map((r) => r.id)), name);
      assert.ok(
        got.every((r, i) => i === 0 || got[i - 1].finishedAt >= r.finishedAt),
        `${name}: newest first`,
      );
    }
  });

  it('narrows the matrix: chosen columns in stage order, rows with something there, keyword rows', () => {
    const full = buildMatrix(matrixRecords(records, emptyFilter()));
    assert.deepEqual(full.environments, ['shop-staging', 'shop-prod']);
    const prod = filterMatrix(full, f({ environment: ['shop-prod', 'shop-staging'] }));
    assert.deepEqual(prod.environments, ['shop-staging', 'shop-prod'], 'stage order, not the order picked');
    const onlyProd = filterMatrix(full, f({ environment: ['shop-prod'] }));
    assert.deepEqual(onlyProd.environments, ['shop-prod']);
    assert.deepEqual(
      onlyProd.rows.map((r) => r.key),
      ['a:shop/web'],
      'secrets and database rows have nothing in production',
    );
    const byArtifact = filterMatrix(full, f({ artifact: ['a:shop/web'] }));
    assert.deepEqual(
      byArtifact.rows.map((r) => r.key),
      ['a:shop/web'],
    );
    const prodTag = full.rows.find((r) => r.key === 'a:shop/web')!.cells['shop-prod'].current!;
    const tags = full.tagsByDigest.get(prodTag.artifact!.digest!) ?? [];
    assert.ok(tags.length > 0);
    // A cell shows the tag other records gave its digest: the keyword finds it there too.
    assert.deepEqual(
      filterMatrix(full, f({ keyword: tags[0] })).rows.map((r) => r.key),
      ['a:shop/web'],
    );
    assert.equal(filterMatrix(full, f({ keyword: 'nothing-like-this' })).rows.length, 0);
    assert.equal(
      filterMatrix(full, f({ result: ['failed'] })).rows.length,
      full.rows.length,
      'results do not narrow it',
    );
  });
});
