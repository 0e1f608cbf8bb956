import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordingHost } from '../../devkit/agent/recording-host';
import { createDefinition } from '../../tasks/OracleDbProvision/definition';
import { runTask } from '../../tasks/common/runner';
import { Endpoint } from '../../devkit/agent/agent-run';

export const ADMIN_PASSWORD = 'Wh1teRabbit-42x';
export const WALLET_PASSWORD = 'Wallet-pass-77';
export const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaamcdsotestcompartment01';

/** Inputs of a typical step; each test overrides what it is about. */
export function dbInputs(over: Record<string, string> = {}): Record<string, string> {
  return {
    target: 'ociApi',
    action: 'ensure',
    ociConnection: 'oci',
    compartmentId: COMPARTMENT,
    displayName: 'shop-db',
    dbName: 'SHOPDB',
    dbWorkload: 'OLTP',
    computeModel: 'ECPU',
    computeCount: '2',
    dataStorageSizeInTBs: '1',
    isFreeTier: 'false',
    isMtlsConnectionRequired: 'true',
    adminPassword: ADMIN_PASSWORD,
    waitTimeoutMinutes: '2',
    ...over,
  };
}

export interface InProcessRun {
  host: RecordingHost;
  code: number;
  record: Record<string, unknown>;
  /** Everything a person or the hub could see: log lines, result, record and summary files. */
  visible: string;
}

/** Runs the task in-process against the emulators, with fast polling; what the runner does is real. */
export async function runDbTask(
  inputs: Record<string, string>,
  endpoints: Record<string, Endpoint>,
  variables: Record<string, string> = {},
): Promise<InProcessRun> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-db-'));
  const host = new RecordingHost(
    inputs,
    { 'Agent.TempDirectory': tempDir, 'Build.BuildId': '4711', 'System.TeamProject': 'shop', ...variables },
    endpoints,
  );
  const def = createDefinition({
    poll: { initialMs: 15, maxMs: 40 },
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 100 },
  });
  const code = await runTask(def, host);
  const recordFile = host.attachments[0]?.path;
  const record = recordFile ? (JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Record<string, unknown>) : {};
  const files = [...host.attachments.map((a) => a.path), ...host.summaries].map((f) => fs.readFileSync(f, 'utf8'));
  const visible = [...host.lines, host.result?.message ?? '', ...Object.values(host.outputs), ...files].join('\n');
  return { host, code, record, visible };
}
