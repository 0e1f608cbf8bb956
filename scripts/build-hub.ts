import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './project';

/** Stages the hub's pages into the extension (placeholder pages until the hub issue lands). */
export async function buildHub(stageDir: string): Promise<void> {
  fs.cpSync(path.join(ROOT, 'hub'), path.join(stageDir, 'hub'), { recursive: true, filter: (src) => !/\.(ts|tsx)$/.test(src) });
}
