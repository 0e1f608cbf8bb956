import * as assert from 'node:assert/strict';
import { SecretRegistry } from '../../tasks/common/secrets';
import { parseTaskChecks } from '../../tasks/common/checks/check-secrets';
import { variableKey } from '../../tasks/common/variable-key';
import { RecordingHost } from '../../devkit/agent/recording-host';

function parse(
  text: string,
  secretVariables: Record<string, string> = {},
  variables: Record<string, string> = {},
  source: 'inline' | 'file' = 'inline',
): { registered: string[]; ok: boolean; error?: string; debug: string[] } {
  const registered: string[] = [];
  const host = new RecordingHost({}, variables);
  const parsed = parseTaskChecks(
    text,
    host,
    new SecretRegistry((v) => registered.push(v)),
    new Map(Object.entries(secretVariables).map(([k, v]) => [variableKey(k), v])),
    source,
  );
  return { registered, ok: parsed.ok, error: parsed.ok ? undefined : parsed.error, debug: host.lines };
}

describe('SmokeTest check secrets', () => {
  const rows: {
    why: string;
    text: string;
    secrets?: Record<string, string>;
    masked: string[];
    notMasked?: string[];
    source?: 'inline' | 'file';
  }[] = [
    {
      why: 'a secret variable the agent expanded inline',
      text: '- { path: /, headers: { X-Trace: abc-s3cret-42 } }',
      secrets: { 'trace.secret': 'abc-s3cret-42' },
      masked: ['abc-s3cret-42'],
    },
    {
      why: 'a $(reference) to a secret variable in a checks file',
      text: '- { path: /, headers: { X-Trace: "$(Trace.Secret)" } }',
      secrets: { 'trace.secret': 'ref-s3cret-43' },
      masked: ['ref-s3cret-43'],
      source: 'file',
    },
    {
      why: 'a Bearer token typed inline, whole and without its scheme',
      text: '- { path: /, headers: { Authorization: Bearer inline-tok-44 } }',
      masked: ['Bearer inline-tok-44', 'inline-tok-44'],
    },
    {
      why: 'an API key header',
      text: '- { path: /, headers: { Ocp-Apim-Subscription-Key: k-45-abc } }',
      masked: ['k-45-abc'],
    },
    { why: 'a cookie', text: '- { path: /, headers: { Cookie: "session=c-46" } }', masked: ['session=c-46'] },
    {
      why: 'a function key in the query',
      text: '- { path: "/api/f?code=fk-47&name=x" }',
      masked: ['fk-47'],
      notMasked: ['x'],
    },
    {
      why: 'an ordinary header',
      text: '- { path: /, headers: { Accept: application/json } }',
      masked: [],
      notMasked: ['application/json'],
    },
    {
      why: 'a secret variable not used by the checks',
      text: '- { path: / }',
      secrets: { unused: 'not-in-checks-48' },
      masked: [],
      notMasked: ['not-in-checks-48'],
    },
  ];
  for (const r of rows) {
    it(`registers ${r.why}`, () => {
      const out = parse(r.text, r.secrets, {}, r.source);
      assert.ok(out.ok, out.error);
      for (const m of r.masked) assert.ok(out.registered.includes(m), `${m} registered (${out.registered})`);
      for (const m of r.notMasked ?? []) assert.ok(!out.registered.includes(m), `${m} not registered`);
    });
  }

  it('expands public variables in a checks file through the host, secret ones never through it', () => {
    const out = parse(
      '- { path: "/b/$(Build.BuildId)", headers: { X-T: "$(api.token)" } }',
      { 'api.token': 'tok-49' },
      { 'Build.BuildId': '77', 'api.token': 'WRONG' },
      'file',
    );
    assert.ok(out.ok, out.error);
    assert.ok(out.registered.includes('tok-49'));
  });

  it('does not expand inline text again: the agent already did, and a secret may contain "$(x)"', () => {
    const secret = 'pre$(System.AccessToken)post';
    const out = parse(`- { path: /, headers: { X-T: "${secret}" } }`, { 'api.token': secret });
    assert.ok(out.ok, out.error);
    assert.ok(out.registered.includes(secret));
  });

  it('names a reference the agent left in inline text: that variable does not exist', () => {
    const out = parse('- { path: "/b/$(No.Such.Var)" }');
    assert.equal(out.ok, false);
    assert.match(out.error ?? '', /\$\(No\.Such\.Var\), which the agent left unexpanded/);
  });
});
