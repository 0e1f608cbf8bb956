import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentRunResult } from '../../devkit/agent/agent-run';
import { SHAPES, SHAPE_NAMES, figures, findLeaks, leakForms, shownText } from './shapes';

/** A run as runTaskLikeAgent returns it, with the given stdout and files, to prove the scanner finds what it must. */
function fakeRun(
  stdout: string,
  files: { attachment?: string; summary?: string; junit?: string } = {},
): AgentRunResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-sec-control-'));
  const write = (name: string, text = 'clean'): string => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const attachment = write('record.json', files.attachment);
  const summary = write('summary.md', files.summary);
  const junit = write('junit.xml', files.junit);
  return {
    code: 0,
    signal: null,
    stdout,
    stderr: '',
    result: 'Succeeded',
    outputs: {},
    secrets: [],
    tempDir: dir,
    commands: [
      {
        area: 'results',
        event: 'publish',
        command: 'results.publish',
        properties: { resultFiles: junit },
        message: '',
        line: '',
        column: 0,
      },
    ],
    attachments: [{ type: 'multicloud-devsecops.ledger', name: 'r', path: attachment }],
    summaries: [summary],
    summarySections: [{ title: 'summary', path: summary }],
    stepResult: 'Succeeded',
    agentErrors: [],
    madePublic: [],
    log: stdout.split('\n'),
    formatted: [],
    inputs: {},
    sourcesDir: dir,
  };
}

describe('security: leak scanner control', () => {
  it('has at least 12 shapes, each with raw, base64, URL-encoded and JSON-escaped forms (and each PEM line)', () => {
    assert.ok(SHAPE_NAMES.length >= 12);
    for (const name of SHAPE_NAMES) {
      const v = SHAPES[name];
      const forms = leakForms(v);
      for (const f of [
        v.trim(),
        Buffer.from(v).toString('base64'),
        encodeURIComponent(v),
        JSON.stringify(v).slice(1, -1),
      ])
        assert.ok(forms.includes(f), `${name}: ${f}`);
    }
    assert.ok(
      leakForms(SHAPES.pem).includes(`MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wZq7ggE7AgEAAkEAu`),
      'a PEM line alone',
    );
    assert.equal(SHAPES.short.length, 4);
  });

  it('finds every form of every shape planted in stdout, stderr, the record, the summary and published results', () => {
    const where = ['stdout', 'stderr', 'attachment', 'summary', 'junit'] as const;
    let planted = 0;
    for (const name of SHAPE_NAMES) {
      leakForms(SHAPES[name]).forEach((form, i) => {
        const place = where[(i + name.length) % where.length];
        const text = `before ${form} after`;
        const run = fakeRun(place === 'stdout' ? text : 'clean', { [place]: text });
        if (place === 'stderr') run.stderr = text;
        assert.ok(
          findLeaks(shownText(run), { [name]: SHAPES[name] }).length > 0,
          `${name} as ${JSON.stringify(form)} in ${place}`,
        );
        planted++;
      });
    }
    assert.ok(planted > SHAPE_NAMES.length * 4);
  });

  it('ignores values only in setsecret lines and secret setvariable lines, but not a setsecret that is not at the start of a line', () => {
    const v = SHAPES.percentAt;
    assert.deepEqual(
      findLeaks(
        shownText(fakeRun(`##vso[task.setsecret]${v}\n##vso[task.setvariable variable=x;issecret=true]${v}\nclean`)),
        { v },
      ),
      [],
    );
    assert.ok(findLeaks(shownText(fakeRun(`log: ##vso[task.setsecret]${v}`)), { v }).length > 0);
    assert.ok(findLeaks(shownText(fakeRun(`##vso[task.setvariable variable=x;issecret=false]${v}`)), { v }).length > 0);
    assert.deepEqual(findLeaks('nothing secret here ***', SHAPES), []);
  });
});

// Root hook: one line of figures for the whole security suite, whichever of its files ran.
after(() => {
  console.log(
    `      security leak scan: ${figures.runs} packaged runs over ${figures.tasks.size} tasks, ${figures.shapes.size} shapes in ${figures.placements} placements, ${figures.formsChecked} forms checked, ${figures.leaks} leaks found`,
  );
});
