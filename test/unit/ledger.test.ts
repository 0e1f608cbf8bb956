import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  LEDGER_SCHEMA,
  escapeMarkdown,
  finishRecord,
  redactDeep,
  renderSummary,
  writeRecordFiles,
} from '../../tasks/common/ledger';
import { SecretRegistry } from '../../tasks/common/secrets';

const meta = {
  id: 'rec-1',
  task: 'AcrPromote' as const,
  taskVersion: '0.1.0',
  run: { buildId: '42', stage: 'prod' },
  startedAt: 1_000,
  finishedAt: 3_500,
  status: 'succeeded' as const,
};

describe('promotion ledger', () => {
  it('fills identity, timings and falls back to the stage as environment', () => {
    const record = finishRecord({ details: { bytes: 10 }, summary: 'promoted' }, meta);
    assert.equal(record.schema, LEDGER_SCHEMA);
    assert.equal(record.durationMs, 2500);
    assert.equal(record.startedAt, new Date(1000).toISOString());
    assert.equal(record.environment, 'prod');
    assert.equal(record.summary, 'promoted');
  });

  it('escapes pipeline-supplied text in the markdown summary', () => {
    const record = finishRecord(
      { details: { note: '<img src=x onerror=alert(1)> | [link](javascript:x)' }, summary: '**bold** <script>' },
      meta,
    );
    const md = renderSummary(record);
    assert.ok(!md.includes('<img'), md);
    assert.ok(!md.includes('<script>'), md);
    assert.ok(md.includes('&lt;img'), 'the text is kept, as entities');
    assert.equal(escapeMarkdown('a|b\nc'), 'a\\|b c');
  });

  it('redacts secrets in values and keys without breaking the JSON structure', () => {
    const registry = new SecretRegistry(() => undefined);
    registry.register('"}x');
    registry.register('topsecret');
    const out = redactDeep({ a: 'x topsecret y', topsecret: 1, list: ['"}x'] }, (t) => registry.redact(t));
    assert.deepEqual(out, { a: 'x *** y', '***': 1, list: ['***'] });
  });

  it('writes a record and a summary that hold no secret', () => {
    const registry = new SecretRegistry(() => undefined);
    registry.register('p@ss w0rd!');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-'));
    const record = finishRecord(
      { details: { leaked: 'value p@ss w0rd! here', encoded: encodeURIComponent('p@ss w0rd!') }, summary: 'x' },
      { ...meta, error: 'failed with p@ss w0rd!' },
    );
    const files = writeRecordFiles(dir, record, (t) => registry.redact(t));
    const json = fs.readFileSync(files.recordPath, 'utf8');
    const md = fs.readFileSync(files.summaryPath, 'utf8');
    for (const text of [json, md]) {
      assert.ok(!text.includes('p@ss w0rd!'));
      assert.ok(!text.includes(encodeURIComponent('p@ss w0rd!')));
    }
    assert.equal(JSON.parse(json).details.leaked, 'value *** here');
  });
});
