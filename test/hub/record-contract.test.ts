import * as assert from 'node:assert/strict';
import { DETAIL_SPECS, TASK_NAMES, specPaths, validateRecord } from '../../tasks/common/record';
import {
  RENDERED,
  canaryMetricsPlan,
  canarySteps,
  dbSteps,
  promoteVerification,
  scalarFacts,
  secretSyncs,
  smokeResults,
} from '../../hub/src/data/run-details';
import { buildMatrix } from '../../hub/src/data/matrix';
import { generatedRecords } from '../../devkit/ado-host/generated-records';

/** Every field path of a value, arrays as [] (details.steps[].analysis.passed). */
function paths(v: unknown, prefix = ''): string[] {
  if (Array.isArray(v)) return v.flatMap((x) => paths(x, `${prefix}[]`));
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) => [
      `${prefix ? `${prefix}.` : ''}${k}`,
      ...paths(x, `${prefix ? `${prefix}.` : ''}${k}`),
    ]);
  return [];
}

/**
 * The contract between the tasks and the hub, checked on records the packaged tasks wrote
 * (scripts/hub-fixtures.ts): they follow the shared schema exactly, and the hub renders every field.
 */
describe('record contract: packaged tasks → hub', () => {
  const generated = generatedRecords();

  it('has records of every task and of a success, an aborted canary, failures and partial results', () => {
    assert.deepEqual([...new Set(generated.map((g) => g.record.task))].sort(), [...TASK_NAMES].sort());
    assert.deepEqual([...new Set(generated.map((g) => g.scenario))].sort(), ['abort', 'failure', 'partial', 'success']);
    const statuses = new Set(generated.map((g) => g.record.status));
    for (const s of ['succeeded', 'failed']) assert.ok(statuses.has(s as never), `a ${s} record`);
    assert.ok(
      generated.some((g) => g.record.task === 'CanaryShift' && g.record.details.outcome === 'aborted'),
      'an aborted canary',
    );
    assert.ok(
      generated.some((g) => g.record.task === 'CanaryShift' && g.record.details.outcome === 'paused'),
      'a canary left short of promotion',
    );
  });

  for (const g of generatedRecords()) {
    it(`${g.file} follows the record schema exactly`, () => {
      const v = validateRecord(g.record, { strict: true });
      assert.ok(v.ok, v.ok ? '' : v.error);
      assert.deepEqual(
        v.problems,
        [],
        'fields the schema (tasks/common/record/spec.ts) does not describe, or of the wrong type',
      );
      // Validation keeps everything the task wrote: nothing the hub reads is lost on the way.
      assert.deepEqual(JSON.parse(JSON.stringify(v.record.details)), g.record.details);
    });

    it(`${g.file}: the hub renders every field it carries`, () => {
      const shownAsFacts = new Set(scalarFacts(g.record).map(([k]) => k));
      const missing = paths(g.record.details).filter(
        (p) => !shownAsFacts.has(p) && !RENDERED[g.record.task].includes(p),
      );
      assert.deepEqual(
        [...new Set(missing)],
        [],
        'details the Run view does not show (hub/src/data/run-details.ts RENDERED)',
      );
    });
  }

  it('the hub renders every field the schema allows (nested ones explicitly, scalars as facts)', () => {
    for (const task of TASK_NAMES) {
      const nested = specPaths(DETAIL_SPECS[task]).filter(
        (p) =>
          p.includes('.') ||
          p.includes('[]') ||
          typeof DETAIL_SPECS[task][p] !== 'string' ||
          DETAIL_SPECS[task][p] === 'string[]',
      );
      const missing = nested.filter((p) => !RENDERED[task].includes(p));
      assert.deepEqual(missing, [], `${task}: schema fields the hub has no view for`);
    }
  });
});

describe('record details as the hub reads them (generated records)', () => {
  const byFile = (re: RegExp) => generatedRecords().find((g) => re.test(g.file))!.record;

  it('an aborted canary: the failed analysis is drawn failed, with its measurements; pause and analysis draw no weight bar', () => {
    const steps = canarySteps(byFile(/abort-\d+-CanaryShift/));
    const failed = steps.filter((s) => s.state === 'failed');
    assert.ok(
      failed.some((s) => s.kind === 'analysis'),
      JSON.stringify(steps),
    );
    assert.ok(failed.find((s) => s.kind === 'analysis')!.measurements.some((m) => !m.passed && m.value !== 'no value'));
    assert.ok(steps.filter((s) => s.kind === 'pause' || s.kind === 'analysis').every((s) => s.weight === undefined));
    assert.ok(steps.some((s) => s.kind === 'abort'));
  });

  it('a promoted canary ends at 100% on the new version and every analysis passed', () => {
    const steps = canarySteps(byFile(/success-\d+-CanaryShift/));
    const promote = steps.find((s) => s.kind === 'promote')!;
    assert.equal(promote.weight, 100);
    assert.match(promote.label, /100%/);
    assert.ok(steps.filter((s) => s.kind === 'analysis').every((s) => s.state === 'ok' && s.measurements.length > 0));
  });

  it('failed smoke checks carry their reasons', () => {
    const checks = smokeResults(byFile(/failure-\d+-SmokeTest/));
    const failed = checks.filter((c) => !c.passed);
    assert.ok(failed.length >= 1 && failed.every((c) => c.failures.length > 0), JSON.stringify(checks));
  });

  it('database steps carry their lifecycle states; secrets their source, target, action and outcome', () => {
    const db = dbSteps(byFile(/success-\d+-OracleDbProvision/));
    assert.ok(
      db.some((s) => s.states.length > 0),
      JSON.stringify(db),
    );
    const secrets = secretSyncs(byFile(/partial-\d+-KeyVaultToOci/));
    assert.ok(secrets.length >= 2 && secrets.every((s) => s.source && s.target && s.action && s.outcome));
    assert.ok(secrets.some((s) => s.outcome === 'failed'));
  });

  it('canary analysis steps show every metric with its measurements: the failed query beside the passing smoke checks', () => {
    const abort = byFile(/abort-\d+-CanaryShift/);
    const failed = canarySteps(abort).find((s) => s.kind === 'analysis' && s.state === 'failed')!;
    const byName = new Map(failed.metrics.map((m) => [m.name, m]));
    assert.equal(byName.get('query')?.passed, false, JSON.stringify(failed.metrics));
    assert.equal(byName.get('query')?.provider, 'prometheus');
    assert.equal(byName.get('query')?.condition, 'result >= 0.99');
    assert.ok(byName.get('query')!.measurements.some((m) => m.value === '0.93' && m.outcome === 'fail'));
    assert.equal(byName.get('smoke')?.passed, true);
    assert.ok(byName.get('smoke')!.measurements.every((m) => m.outcome === 'pass' && /smoke 1 passed/.test(m.detail!)));
    assert.match(canaryMetricsPlan(abort)[0], /^query \(prometheus\), result >= 0\.99, 2 measurement\(s\)/);
    const weights = canarySteps(byFile(/success-\d+-CanaryShift/)).filter((s) => s.kind === 'weight');
    assert.ok(
      weights.some((s) => /replica/.test(s.label)),
      JSON.stringify(weights),
    );
  });

  it('KeyVaultToOci secrets carry the OCI version and the Key Vault version they came from', () => {
    const secrets = secretSyncs(byFile(/partial-\d+-KeyVaultToOci/));
    const updated = secrets.find((s) => s.outcome === 'updated')!;
    assert.equal(updated.version, 2);
    assert.match(updated.sourceVersion!, /^[0-9a-f]{32}$/);
    assert.ok(secrets.filter((s) => s.outcome !== 'failed').every((s) => typeof s.version === 'number'));
  });

  it('AcrPromote records what the gate verified; the production cell shows the verified mark with the signer', () => {
    const promote = byFile(/success-\d+-AcrPromote/);
    const v = promoteVerification(promote)!;
    assert.equal(v.passed, true);
    assert.match(v.signer!, /^key sha256:[0-9a-f]{64}$/);
    assert.match(v.policy, /signature cosignKey, SBOM required/);
    assert.ok(
      v.documents.some((d) => /^SBOM SPDX \(2 packages\).*signed by key sha256:/.test(d)),
      v.documents.join('\n'),
    );
    // The prod cell is the canary's record (a canary decides what serves traffic): the mark comes by digest.
    const records = generatedRecords()
      .filter((g) => g.scenario === 'success')
      .map((g) => g.record);
    const m = buildMatrix(records);
    const prod = m.rows.find((r) => r.key === 'a:shop/web')!.cells['shop-prod'].current!;
    assert.equal(prod.task, 'CanaryShift');
    assert.deepEqual(m.verifiedByDigest.get(prod.artifact!.digest!), { passed: true, signer: v.signer });
  });
});
