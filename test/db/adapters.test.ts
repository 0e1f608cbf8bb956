import * as assert from 'node:assert/strict';
import { TaskError } from '../../tasks/common/errors';
import { ociFailure, retryConfiguration } from '../../tasks/OracleDbProvision/oci/clients';
import { stateFromOci } from '../../tasks/OracleDbProvision/oci/backend';
import { pollUntil } from '../../tasks/OracleDbProvision/wait';

describe('OracleDbProvision OCI error mapping and retry configuration', () => {
  const cases: { status: number; code: string; want: RegExp }[] = [
    { status: 400, code: 'InvalidParameter', want: /HTTP 400 InvalidParameter: boom .*Fix the setting/ },
    { status: 401, code: 'NotAuthenticated', want: /HTTP 401 .*fingerprint and private key/ },
    { status: 404, code: 'NotAuthorizedOrNotFound', want: /HTTP 404 .*policies/ },
    { status: 409, code: 'IncorrectState', want: /HTTP 409 .*Another operation is running/ },
    { status: 429, code: 'TooManyRequests', want: /HTTP 429 .*Retries with backoff did not get through/ },
    { status: 503, code: 'ServiceUnavailable', want: /HTTP 503 .*server-side problem/ },
  ];
  for (const c of cases) {
    it(`maps ${c.status} ${c.code} to a TaskError that says what to do`, () => {
      const err = ociFailure(
        { statusCode: c.status, serviceCode: c.code, message: 'boom', opcRequestId: 'REQ1' },
        'do it',
      );
      assert.ok(err instanceof TaskError);
      assert.match(err.message, c.want);
      assert.match(err.message, /opc-request-id REQ1/);
    });
  }

  it('retries throttling, server errors and network failures only, within the deadline', () => {
    const now = 1_000_000;
    const cfg = retryConfiguration(now + 60_000, { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 }, () => now);
    const retry = (statusCode: number, serviceCode = 'X'): boolean =>
      cfg.retryCondition!({ statusCode, serviceCode } as never);
    assert.deepEqual(
      [429, 500, 502, 503, 504, -1].map((s) => retry(s)),
      [true, true, true, true, true, true],
    );
    assert.deepEqual(
      [400, 401, 404, 409, 412].map((s) => retry(s, 'IncorrectState')),
      [false, false, false, false, false],
    );
    assert.equal(cfg.terminationStrategy!.shouldTerminate({ startTime: new Date(), attemptCount: 0 }), false);
    assert.equal(
      cfg.terminationStrategy!.shouldTerminate({ startTime: new Date(), attemptCount: 3 }),
      true,
      'maxAttempts reached',
    );
    const late = retryConfiguration(now + 50, { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 }, () => now);
    assert.equal(
      late.terminationStrategy!.shouldTerminate({ startTime: new Date(), attemptCount: 0 }),
      true,
      'no retry past the deadline',
    );
    const d = cfg.delayStrategy!.delay({ startTime: new Date(), attemptCount: 2 });
    assert.ok(d >= 0.2 && d <= 0.4, `delay in seconds with jitter, got ${d}`);
  });

  it('maps an OCI AutonomousDatabase onto the planner state', () => {
    const s = stateFromOci({
      id: 'x',
      displayName: 'd',
      lifecycleState: 'AVAILABLE',
      isFreeTier: undefined,
      whitelistedIps: undefined,
      connectionStrings: {
        profiles: [
          {
            displayName: 'd_tp',
            value: '(description=)',
            protocol: 'TCPS',
            tlsAuthentication: 'SERVER',
            hostFormat: 'FQDN',
            sessionMode: 'DIRECT',
            syntaxFormat: 'LONG',
            consumerGroup: 'TP',
          },
        ],
      },
    } as never);
    assert.equal(s.isFreeTier, false);
    assert.deepEqual(s.whitelistedIps, []);
    assert.equal(s.connectionProfiles[0].tlsAuthentication, 'SERVER');
  });
});

describe('OracleDbProvision waiting', () => {
  const ctx = (deadline: number, log: string[]) => ({
    signal: new AbortController().signal,
    deadline,
    schedule: { initialMs: 1, maxMs: 2 },
    log: (m: string) => log.push(m),
  });

  it('logs each change of state once and returns the transitions', async () => {
    const seq = ['A', 'A', 'B', 'B', 'C'];
    const log: string[] = [];
    const { transitions } = await pollUntil(
      'db',
      async () => seq.shift()!,
      (s) => ({ state: s, done: s === 'C' }),
      ctx(Date.now() + 5000, log),
    );
    assert.deepEqual(
      transitions.map((t) => t.state),
      ['A', 'B', 'C'],
    );
    assert.equal(log.length, 3);
  });

  it('fails on a failure state and at the deadline, naming the state', async () => {
    await assert.rejects(
      pollUntil(
        'db',
        async () => 'UNAVAILABLE',
        (s) => ({ state: s, done: false, failure: new TaskError(`became ${s}`) }),
        ctx(Date.now() + 5000, []),
      ),
      /became UNAVAILABLE/,
    );
    await assert.rejects(
      pollUntil(
        'db',
        async () => 'PROVISIONING',
        (s) => ({ state: s, done: false }),
        ctx(Date.now() + 20, []),
      ),
      /still PROVISIONING when the task's time ran out.*waitTimeoutMinutes/s,
    );
  });
});

describe('OracleDbProvision wallet zip (operator mode)', () => {
  it('writes a zip that a zip reader extracts byte for byte, with correct CRCs', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const zlib = await import('node:zlib');
    const { zipFiles, crc32 } = await import('../../tasks/OracleDbProvision/operator/zip');
    const { extractZip } = await import('../../devkit/agent/unzip');
    const files: [string, Buffer][] = [
      ['tnsnames.ora', Buffer.from('db_high = (description=)\n')],
      ['cwallet.sso', Buffer.from([0, 1, 2, 255, 254])],
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-'));
    fs.writeFileSync(path.join(dir, 'w.zip'), zipFiles(files));
    assert.deepEqual(extractZip(path.join(dir, 'w.zip'), path.join(dir, 'out')), ['tnsnames.ora', 'cwallet.sso']);
    for (const [name, data] of files) assert.deepEqual(fs.readFileSync(path.join(dir, 'out', name)), data);
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(files[0][1]), zlib.crc32(files[0][1]));
  });
});
