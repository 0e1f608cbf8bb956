import * as assert from 'node:assert/strict';
import { AgentRunResult, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KvWorld, VAULT, runLikeAgent, startWorld } from '../../devkit/stand-ins/kv-world';

/**
 * The packaged task, run like the agent runs it, with secrets of every awkward shape: no value may appear in
 * anything a person or the hub sees (stdout, stderr, ledger record, summary), in any encoding, with or
 * without System.Debug, on success and on a partial failure. Values must still arrive in OCI byte-exact.
 */
const M = 'Zq7'; // marker: every value is distinctive, so a match is a leak, not a coincidence
export const SHAPES: Record<string, string> = {
  'shape-pem': `-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8w${M}ggE7AgEAAkEAu\nq5Qn4${M}Lw3xV0m1y8d1e2f3g4h5i6j7k8l9m0n1o2p3q4r5s6t\n-----END PRIVATE KEY-----\n`,
  'shape-unicode': `${M}-ünïcødé-密码-🔑-ß`,
  'shape-percent': `${M}%41%2F100%done%`,
  'shape-dollar': `${M}$HOME$(System.AccessToken)\${x}$`,
  'shape-quotes': `${M}'single' "double" \`back\``,
  'shape-backslash': `${M}\\path\\to\\n\\x\\`,
  'shape-json': `{"user":"${M}","pass":"p@ss;w0rd]","n":[1,2]}`,
  'shape-trailing-newline': `${M}-trailing-newline\n`,
  'shape-url': `https://user:${M}pa55@db.example.com:5432/app?sslmode=require&x=%20y`,
  'shape-vso-injection': `${M}]];##vso[task.setvariable variable=pwned]gotcha`,
  'shape-spaces': `  ${M} spaced value  `,
};

/** The forms a value can leak in: raw, trimmed, each line, base64, URL-encoded, JSON-escaped. */
export function leakForms(value: string): string[] {
  const forms = new Set<string>([
    value,
    value.trim(),
    Buffer.from(value, 'utf8').toString('base64'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ]);
  if (value.includes('\n')) {
    for (const line of value.split('\n').map((l) => l.trim()))
      if (line.length >= 8 && !/^-----(BEGIN|END) /.test(line)) forms.add(line);
  }
  return [...forms].filter((f) => f.length >= 3);
}

export function findLeaks(text: string, values: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    for (const form of leakForms(value)) if (text.includes(form)) leaks.push(`${name}: ${JSON.stringify(form)}`);
  }
  return leaks;
}

/** What the agent shows: secret-carrying setvariable lines are consumed by the agent like setsecret. */
function shown(run: AgentRunResult): string {
  return visibleOutput(run)
    .split('\n')
    .filter((l) => !(l.includes('##vso[task.setvariable') && /issecret=true/i.test(l)))
    .join('\n');
}

export const scanFigures = { shapes: Object.keys(SHAPES).length, formsScanned: 0, leaks: 0, runs: 0 };

describe('KeyVaultToOci leak scan (packaged task, every secret shape)', function () {
  this.timeout(120_000);
  let world: KvWorld;
  beforeEach(async () => {
    world = await startWorld();
    for (const [name, value] of Object.entries(SHAPES)) world.kv.set(name, value);
  });
  afterEach(() => world.close());

  it('the scanner finds a planted leak in each form (control)', () => {
    for (const [name, value] of Object.entries(SHAPES)) {
      for (const form of leakForms(value))
        assert.ok(findLeaks(`noise ${form} noise`, { [name]: value }).length > 0, `${name} ${form}`);
    }
    assert.deepEqual(findLeaks('nothing secret here', SHAPES), []);
  });

  for (const debug of ['false', 'true']) {
    it(`no value in any output with System.Debug=${debug} (create, then rotate with a partial failure and exported variables)`, async () => {
      const values: Record<string, string> = { ...SHAPES };
      const first = await runLikeAgent(world, packagedTaskDir('KeyVaultToOci'), {}, { 'System.Debug': debug });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      for (const [name, value] of Object.entries(SHAPES)) {
        assert.equal(
          Buffer.from(world.oci.secretByName(VAULT, name)!.versions.at(-1)!.content, 'base64').toString('utf8'),
          value,
          `${name} byte-exact`,
        );
        assert.ok(first.secrets.includes(Buffer.from(value, 'utf8').toString('base64')), `${name}: base64 registered`);
        if (!value.includes('\n')) assert.ok(first.secrets.includes(value), `${name}: value registered`);
      }

      // Rotate two values; make one of the writes fail so error paths are scanned too.
      const rotated = {
        'shape-json': `{"user":"${M}","pass":"rotated-${debug}"}`,
        'shape-url': `https://user:${M}rotated${debug}@db.example.com/x`,
      };
      for (const [name, value] of Object.entries(rotated)) world.kv.set(name, value);
      Object.assign(values, Object.fromEntries(Object.entries(rotated).map(([k, v]) => [`${k}-rotated`, v])));
      world.oci.fault({
        op: 'UpdateSecret',
        name: 'shape-url',
        status: 400,
        code: 'InvalidParameter',
        message: 'Injected rejection of the new version.',
        times: 1,
      });
      const second = await runLikeAgent(
        world,
        packagedTaskDir('KeyVaultToOci'),
        { exportVariables: 'true' },
        { 'System.Debug': debug },
      );
      assert.equal(second.result, 'Failed');
      assert.match(second.resultMessage ?? '', /1 of 11 secrets did not sync/);
      assert.equal(second.outputs['shape-json'], rotated['shape-json'], 'exported variable is byte-exact');
      assert.equal(
        second.outputs['shape-pem'],
        undefined,
        'a multi-line value is not exported as a secret variable the agent cannot mask',
      );
      assert.equal(
        Buffer.from(second.outputs['shape-pem-base64'], 'base64').toString('utf8'),
        SHAPES['shape-pem'],
        '…but base64-encoded, byte-exact',
      );
      assert.equal(second.outputs['shape-unicode'], SHAPES['shape-unicode']);
      assert.equal(second.outputs['shape-vso-injection'], SHAPES['shape-vso-injection']);
      assert.equal(second.outputs.pwned, undefined, 'no variable injected through a value');

      for (const run of [first, second]) {
        const text = shown(run);
        scanFigures.runs++;
        scanFigures.formsScanned += Object.values(values).reduce((n, v) => n + leakForms(v).length, 0);
        const leaks = findLeaks(text, values);
        scanFigures.leaks += leaks.length;
        assert.deepEqual(leaks, [], `leaked with System.Debug=${debug}`);
        assert.ok(run.attachments.length === 1 && run.summaries.length === 1, 'record and summary were scanned');
      }
      if (debug === 'true') assert.match(second.stdout, /##vso\[task\.debug\]/, 'debug lines were written');
    });
  }

  after(() => {
    console.log(
      `      leak scan: ${scanFigures.shapes} shapes, ${scanFigures.runs} runs, ${scanFigures.formsScanned} forms scanned, ${scanFigures.leaks} leaks`,
    );
  });
});
