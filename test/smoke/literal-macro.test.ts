import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';

/**
 * A literal $(name) in inline checks: $$(name) is the escape (tasks/SmokeTest/README.md). The
 * agent leaves $(name) of an undefined variable as it is (VarUtil.ExpandValues), so the packaged
 * task receives exactly what the YAML holds.
 */
describe('SmokeTest: a literal $(name) in inline checks', () => {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.end(`template ${decodeURIComponent(req.url ?? '')}`);
  });
  let base = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends $$(user) as $(user) and matches it in the body', async () => {
    const checks =
      '- name: literal\n  path: /render?t=$$(user)\n  expect: { status: 200, body: { contains: "t=$$(user)" } }\n';
    const run = await runTaskLikeAgent({ taskDir: packagedTaskDir('SmokeTest'), inputs: { baseUrl: base, checks } });
    assert.equal(run.result, 'Succeeded', run.resultMessage);
    // The client percent-encodes $ ( ) in the query; the server decodes the same text.
    assert.deepEqual(seen.map(decodeURIComponent), ['/render?t=$(user)']);
  });

  it('refuses a lone $(user), naming the input and the escape', async () => {
    seen.length = 0;
    const checks = '- name: literal\n  path: /render?t=$(user)\n';
    const run = await runTaskLikeAgent({ taskDir: packagedTaskDir('SmokeTest'), inputs: { baseUrl: base, checks } });
    assert.equal(run.result, 'Failed');
    assert.match(run.resultMessage ?? '', /input 'checks'.*\$\(user\).*write \$\$\(user\) for the literal text/);
    assert.deepEqual(seen, [], 'nothing was requested');
  });
});
