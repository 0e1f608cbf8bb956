import * as fs from 'node:fs';
import { LedgerRecord } from '../../../tasks/common/ledger';
import { runTask } from '../../../tasks/common/runner';
import { definition } from '../../../tasks/AcrPromote/definition';
import { Endpoint } from '../../../devkit/agent/agent-run';
import { RecordingHost } from '../../../devkit/agent/recording-host';
import { tempDir } from '../../../devkit/registry/world';

export interface InProcessRun {
  host: RecordingHost;
  code: number;
  record?: LedgerRecord;
}

/** Runs AcrPromote through the real runner in this process (fast), with a recording host. */
export async function runAcrPromote(
  inputs: Record<string, string>,
  endpoints: Record<string, Endpoint> = {},
): Promise<InProcessRun> {
  const host = new RecordingHost(
    inputs,
    { 'Agent.TempDirectory': tempDir('run'), 'System.StageName': 'prod' },
    endpoints,
  );
  const code = await runTask(definition, host);
  const attachment = host.attachments.find((a) => a.type === 'multicloud-devsecops.ledger');
  const record = attachment ? (JSON.parse(fs.readFileSync(attachment.path, 'utf8')) as LedgerRecord) : undefined;
  return { host, code, record };
}
