import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { filterHistory, HistoryFilter } from '../../hub/src/data/history';
import { buildMatrix, cellHistory, orderEnvironments } from '../../hub/src/data/matrix';
import { LedgerRecord } from '../../hub/src/data/model';
import { isRecord, parseLedgerRecord } from '../../hub/src/data/parse-record';
import { previewConfigPath } from '../../hub/src/ado/hub-context';
import { ROOT } from '../../devkit/project';
import { hostileRecord, sampleData } from '../../devkit/ado-host/sample-data';

let seq = 0;
function rec(over: Partial<LedgerRecord> & { at: string }): LedgerRecord {
  const { at, ...rest } = over;
  return {
    schema: 'multicloud-devsecops.ledger/v1',
    id: `r${++seq}`,
    task: 'AcrPromote',
    taskVersion: '0.1.0',
    status: 'succeeded',
    startedAt: at,
    finishedAt: at,
    durationMs: 0,
    run: { buildId: '1', buildNumber: '1', stage: 'dev' },
    environment: 'dev',
    artifact: { repository: 'shop/api', digest: 'sha256:aaa', tags: ['1.0.0'] },
    summary: '',
    details: {},
    ...rest,
  };
}

describe('hub data: records → matrix and history', () => {
  it('puts environments in pipeline order and shows what runs where now on the generated ledger', () => {
    // Newest first: an aborted canary of 1.4.3, then a success that placed 1.4.2.
    const { records } = sampleData({ runs: 12, newest: ['abort', 'success'] });
    const m = buildMatrix(records, ['build', 'dev', 'staging', 'prod']);
    assert.deepEqual(m.environments, ['shop-staging', 'shop-prod']);
    assert.deepEqual(
      m.rows.map((r) => r.kind),
      ['artifact', 'platform', 'platform'],
    );
    assert.equal(m.rows[0].label, 'shop/web');
    assert.ok(!m.rows.some((r) => r.key.startsWith('v:')), 'smoke tests verify artifact cells, they are not rows');
    const prod = m.rows[0].cells['shop-prod'];
    // The newest canary was aborted: the version the previous run promoted is still what runs.
    assert.equal(prod.current!.task, 'CanaryShift');
    assert.equal(prod.current!.details.outcome, 'promoted');
    assert.equal(prod.latest!.details.outcome, 'aborted');
    assert.ok(prod.latest!.finishedAt > prod.current!.finishedAt);
    // The canary went by digest: the tag comes from the promotion of the same digest.
    assert.equal(prod.current!.artifact!.tags, undefined);
    assert.deepEqual(m.tagsByDigest.get(prod.current!.artifact!.digest!)!.slice().sort(), ['1.4.2', 'production']);
    assert.equal(prod.verdict?.task, 'SmokeTest');
    const history = cellHistory(records, m.rows[0].key, 'shop-prod');
    assert.ok(history.every((r, i) => i === 0 || r.finishedAt <= history[i - 1].finishedAt));
  });

  it('a canary left at 0% (deploy action) is not deployed', () => {
    const { records } = sampleData({ runs: 2, newest: ['partial', 'success'] });
    const prod = buildMatrix(records).rows[0].cells['shop-prod'];
    assert.equal(prod.current!.details.outcome, 'promoted');
    assert.equal(prod.latest!.details.outcome, 'paused');
    assert.equal(prod.latest!.details.canaryWeight, 0);
  });

  it('keeps flagged records out of the matrix', () => {
    const { records, extraBuilds } = sampleData({ runs: 2, newest: ['success', 'success'], forged: true });
    const forged = { ...extraBuilds[0].records[0], flag: 'forged' };
    const m = buildMatrix([...records, forged]);
    assert.notEqual(m.rows[0].cells['shop-prod'].current!.id, forged.id);
  });

  const cases: { name: string; records: LedgerRecord[]; expect: { current?: string; latest?: string } }[] = [
    {
      name: 'newest successful promotion wins',
      records: [rec({ at: '2026-01-01T00:00:00Z', id: 'old' }), rec({ at: '2026-01-02T00:00:00Z', id: 'new' })],
      expect: { current: 'new' },
    },
    {
      name: 'a failed promotion does not replace, it is shown as the newer attempt',
      records: [
        rec({ at: '2026-01-01T00:00:00Z', id: 'ok' }),
        rec({ at: '2026-01-02T00:00:00Z', id: 'bad', status: 'failed' }),
      ],
      expect: { current: 'ok', latest: 'bad' },
    },
    {
      name: 'an aborted canary that "succeeded" (task ok, rollout aborted) does not replace',
      records: [
        rec({ at: '2026-01-01T00:00:00Z', id: 'ok', task: 'CanaryShift', details: { outcome: 'promoted' } }),
        rec({ at: '2026-01-02T00:00:00Z', id: 'ab', task: 'CanaryShift', details: { outcome: 'aborted' } }),
      ],
      expect: { current: 'ok', latest: 'ab' },
    },
    {
      name: 'an older failure is history, not news',
      records: [
        rec({ at: '2026-01-01T00:00:00Z', id: 'bad', status: 'failed' }),
        rec({ at: '2026-01-02T00:00:00Z', id: 'ok' }),
      ],
      expect: { current: 'ok' },
    },
    {
      name: 'only failures: nothing in place, the failure shown',
      records: [rec({ at: '2026-01-01T00:00:00Z', id: 'bad', status: 'failed' })],
      expect: { latest: 'bad' },
    },
  ];
  for (const c of cases) {
    it(`cell: ${c.name}`, () => {
      const cell = buildMatrix(c.records).rows[0].cells.dev;
      const got: { current?: string; latest?: string } = {};
      if (cell.current) got.current = cell.current.id;
      if (cell.latest) got.latest = cell.latest.id;
      assert.deepEqual(got, c.expect);
    });
  }

  it('orders environments by stage order first, then by position within runs', () => {
    const r = (env: string, stage: string, at: string, run: string): LedgerRecord =>
      rec({ at, environment: env, run: { buildId: run, stage } });
    const records = [
      r('aks-prod', 'prod', '2026-01-01T03:00:00Z', '1'),
      r('qa', 'qa', '2026-01-01T02:00:00Z', '1'),
      r('oke-dev', 'dev', '2026-01-01T01:00:00Z', '1'),
      r('perf', 'perf', '2026-01-02T02:30:00Z', '2'),
      r('qa', 'qa', '2026-01-02T02:00:00Z', '2'),
      r('perf', 'perf', '2026-01-03T01:00:00Z', '3'),
      r('aks-prod', 'prod', '2026-01-03T02:00:00Z', '3'),
    ];
    assert.deepEqual(orderEnvironments(records, ['dev', 'qa', 'prod']), ['oke-dev', 'qa', 'aks-prod', 'perf']);
    assert.deepEqual(orderEnvironments(records, []), ['oke-dev', 'qa', 'perf', 'aks-prod']);
  });

  const filters: [string, HistoryFilter, (r: LedgerRecord) => boolean][] = [
    ['artifact', { artifact: 'a:shop/web' }, (r) => r.artifact?.repository === 'shop/web'],
    ['environment', { environment: 'shop-prod' }, (r) => r.environment === 'shop-prod'],
    ['task', { task: 'KeyVaultToOci' }, (r) => r.task === 'KeyVaultToOci'],
    ['status', { status: 'failed' }, (r) => r.status === 'failed'],
    ['text (case-insensitive)', { text: 'CANARY ABORTED' }, (r) => /canary aborted/i.test(r.summary)],
    [
      'combined',
      { task: 'SmokeTest', status: 'failed', environment: 'shop-staging' },
      (r) => r.task === 'SmokeTest' && r.status === 'failed' && r.environment === 'shop-staging',
    ],
  ];
  for (const [name, f, expect] of filters) {
    it(`history filter: ${name}`, () => {
      const { records } = sampleData({ runs: 60 });
      const got = filterHistory(records, f);
      const want = records.filter(expect);
      assert.ok(want.length > 0, 'the sample must exercise the filter');
      assert.deepEqual(new Set(got.map((r) => r.id)), new Set(want.map((r) => r.id)));
      assert.ok(
        got.every((r, i) => i === 0 || r.finishedAt <= got[i - 1].finishedAt),
        'newest first',
      );
    });
  }
});

describe('hub data: untrusted input', () => {
  const parseCases: [string, string, string | undefined][] = [
    ['not JSON', '<html>', 'not JSON'],
    ['an array', '[]', 'not an object'],
    ['another schema', JSON.stringify({ schema: 'x/v9' }), 'unknown schema "x/v9"'],
    ['an unknown task', JSON.stringify({ ...hostileRecord(), task: 'Evil' }), 'unknown task'],
    ['an unparseable time', JSON.stringify({ ...hostileRecord(), startedAt: 'yesterday' }), 'missing id or times'],
    ['a hostile but well-formed record', JSON.stringify(hostileRecord()), undefined],
  ];
  for (const [name, text, error] of parseCases) {
    it(`parses ${name}`, () => {
      const parsed = parseLedgerRecord(text);
      assert.equal(isRecord(parsed) ? undefined : parsed.error, error);
    });
  }

  it('drops wrongly typed fields instead of passing them on', () => {
    const parsed = parseLedgerRecord(
      JSON.stringify({
        ...hostileRecord(),
        summary: { toString: 1 },
        run: { buildId: 5, stage: 'prod' },
        artifact: { repository: 'r', tags: ['a', 1] },
      }),
    );
    assert.ok(isRecord(parsed));
    assert.equal(parsed.summary, '');
    assert.deepEqual(parsed.run, { stage: 'prod' });
    assert.deepEqual(parsed.artifact, { repository: 'r', registry: undefined, digest: undefined, tags: ['a'] });
  });

  const previewCases: [string, boolean, string | undefined][] = [
    ['?preview=/_preview/config.json', false, '/_preview/config.json'],
    ['?preview=//evil.example/config.json', false, undefined],
    ['?preview=https://evil.example/c.json', false, undefined],
    ['?preview=/a/../../etc', false, undefined],
    ['?preview=/_preview/config.json', true, undefined],
    ['', false, undefined],
  ];
  for (const [search, framed, expect] of previewCases) {
    it(`preview mode for ${search || '(none)'}${framed ? ' in a frame' : ''} → ${expect ?? 'Azure DevOps'}`, () =>
      assert.equal(previewConfigPath({ search }, framed), expect));
  }

  it('hub sources never build markup from strings', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name));
        else if (/\.tsx?$/.test(e.name)) files.push(path.join(dir, e.name));
      }
    };
    walk(path.join(ROOT, 'hub', 'src'));
    assert.ok(files.length > 10);
    for (const f of files)
      assert.doesNotMatch(
        fs.readFileSync(f, 'utf8'),
        /innerHTML|outerHTML|dangerouslySetInnerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/,
        f,
      );
  });
});
