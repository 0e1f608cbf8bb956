import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { caPaths, issueCert } from '../support/test-ca';
import { TokenServer, TokenUser, startRegistryTokenServer } from '../emulators/registry-token-server';
import { requireTool } from '../support/system-tool';

/**
 * A real CNCF distribution registry (Debian docker-registry 2.8) on 127.0.0.1 with Bearer token
 * auth served by the test token server: what Docker Hub, ACR and OCIR do on the wire.
 */
export interface LocalRegistry {
  host: string;
  url: string;
  dir: string;
  tokens: TokenServer;
  users: Record<string, TokenUser>;
  stop(): Promise<void>;
}

export const ADMIN = { username: 'promoter', password: 'pr0m0te-S3cret!' };
export const READER = { username: 'reader', password: 'r3ad-0nly-S3cret!' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 401 || res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not start: ${log()}`);
}

/**
 * A test run that dies without its after() hooks must not leave registries behind. One process 'exit'
 * listener for all of them: a bench holds a dozen registries at once, and a listener each passed Node's
 * limit of 10 (MaxListenersExceededWarning on stderr).
 */
const live = new Set<ChildProcess>();
function reapOnExit(child: ChildProcess): void {
  if (live.size === 0) process.once('exit', reapAll);
  live.add(child);
  child.once('exit', () => {
    live.delete(child);
    if (live.size === 0) process.removeListener('exit', reapAll);
  });
}
function reapAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

export async function startLocalRegistry(opts: {
  name: string;
  verifyAadToken?: (t: string) => Promise<string | undefined>;
}): Promise<LocalRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mcdso-registry-${opts.name}-`));
  const signing = issueCert({ names: ['registry-token-signer'] });
  const users: Record<string, TokenUser> = {
    [ADMIN.username]: { password: ADMIN.password, access: { '*': ['pull', 'push'] } },
    [READER.username]: { password: READER.password, access: { '*': ['pull'] } },
  };
  const service = `registry-${opts.name}`;
  const tokens = await startRegistryTokenServer({
    issuer: 'mcdso-test-token-server',
    service,
    key: signing.key,
    cert: signing.cert,
    users,
    verifyAadToken: opts.verifyAadToken,
  });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      'auth:',
      '  token:',
      `    realm: ${tokens.realm}`,
      `    service: ${service}`,
      '    issuer: mcdso-test-token-server',
      `    rootcertbundle: ${caPaths().cert}`,
      '',
    ].join('\n');
    const configPath = path.join(dir, 'config.yml');
    fs.writeFileSync(configPath, config);
    const child = spawn(requireTool('docker-registry'), ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    reapOnExit(child);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForRegistry(url, child, () => stderr);
    } catch (err) {
      child.kill('SIGKILL');
      // Another process may have taken the port between our probe and the registry's bind.
      if (attempt < 3 && /address already in use/.test(String(err))) continue;
      await tokens.close();
      throw err;
    }
    return {
      host: `127.0.0.1:${port}`,
      url,
      dir,
      tokens,
      users,
      stop: async () => {
        if (child.exitCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await exited;
        }
        await tokens.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
