import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatabaseClient, models } from 'oci-database';
import { TaskError } from '../../common/errors';
import { TaskContext } from '../../common/runner';
import { DbState } from '../model';
import { ociFailure } from './clients';

/** Collects a response body whichever stream flavour the SDK's fetch hands back. */
async function readBody(body: unknown): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'binary');
  const chunks: Buffer[] = [];
  const web = body as ReadableStream<Uint8Array>;
  if (web && typeof web.getReader === 'function') {
    const reader = web.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(Buffer.from(r.value));
    return Buffer.concat(chunks);
  }
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * GenerateAutonomousDatabaseWallet → a zip under the agent's temp directory (cleaned by the agent
 * after the job), readable by the agent user only. The wallet password was registered as a
 * secret when the inputs were read, before it is sent anywhere.
 */
export async function downloadWallet(
  ctx: TaskContext,
  db: DatabaseClient,
  current: DbState,
  password: string,
): Promise<string> {
  const body = await generateWallet(db, current, password);
  const dir = path.join(ctx.tempDir, 'oracle-wallets');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `Wallet_${current.dbName ?? current.id.slice(-12)}.zip`);
  fs.writeFileSync(file, body, { mode: 0o600 });
  ctx.host.info(`Wallet of ${current.id} written to ${file} (${body.length} bytes).`);
  return file;
}

/** GenerateAutonomousDatabaseWallet (SINGLE: the instance wallet), checked to be a zip. */
export async function generateWallet(db: DatabaseClient, current: DbState, password: string): Promise<Buffer> {
  let body: Buffer;
  try {
    const res = await db.generateAutonomousDatabaseWallet({
      autonomousDatabaseId: current.id,
      generateAutonomousDatabaseWalletDetails: {
        password,
        generateType: 'SINGLE' as models.GenerateAutonomousDatabaseWalletDetails.GenerateType,
      },
    });
    body = await readBody(res.value);
  } catch (err) {
    throw ociFailure(err, `generate the wallet of ${current.id}`);
  }
  // Every zip starts with a local file header: anything else is an error page, not a wallet.
  if (body.length < 22 || body.readUInt32LE(0) !== 0x04034b50)
    throw new TaskError(
      `OCI returned ${body.length} bytes that are not a zip file for the wallet of ${current.id}.`,
      'Run the task again; if it persists, download the wallet in the OCI console.',
    );
  return body;
}

/**
 * GetAutonomousDatabaseWallet: the wallet's state and when it was last rotated. The database and that time
 * identify the wallet, so publishing can tell whether the one already delivered is current without a download.
 */
export async function walletIdentity(db: DatabaseClient, current: DbState): Promise<string> {
  let wallet: { lifecycleState?: string; timeRotated?: Date };
  try {
    wallet = (await db.getAutonomousDatabaseWallet({ autonomousDatabaseId: current.id })).autonomousDatabaseWallet;
  } catch (err) {
    throw ociFailure(err, `read the wallet state of ${current.id}`);
  }
  if (wallet.lifecycleState === 'UPDATING')
    throw new TaskError(
      `The wallet of ${current.id} is being rotated.`,
      'Run the task again when the rotation has finished (a few minutes), so the new wallet is published.',
    );
  const rotated = wallet.timeRotated ? new Date(wallet.timeRotated).toISOString() : 'never-rotated';
  return `${current.id}@${rotated}`;
}
