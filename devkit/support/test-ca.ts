import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_CA_DIR } from '../project';
import { cachedRsaPem } from './cached-key';
import { requireTool } from './system-tool';

/**
 * A throw-away certificate authority for the HTTPS emulators. `npm test` creates it before mocha
 * starts and points NODE_EXTRA_CA_CERTS at ca.pem, so the real SDKs trust the emulators the way
 * they trust a real service, with no TLS check switched off.
 */
export interface IssuedCert {
  cert: string;
  key: string;
  ca: string;
}

function openssl(args: string[]): void {
  execFileSync(requireTool('openssl'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function caPaths(): { cert: string; key: string } {
  return { cert: path.join(TEST_CA_DIR, 'ca.pem'), key: path.join(TEST_CA_DIR, 'ca.key') };
}

export function ensureTestCa(): void {
  const { cert, key } = caPaths();
  if (fs.existsSync(cert) && fs.existsSync(key)) return;
  fs.mkdirSync(TEST_CA_DIR, { recursive: true });
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '30',
    '-subj',
    '/CN=Multicloud DevSecOps test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

const issued = new Map<string, IssuedCert>();

/**
 * The leaf's RSA key for a set of names (devkit/support/cached-key.ts): reused by every later test process,
 * while the certificate is still signed afresh per process with the `days` asked, so expiry tests see their
 * own dates; distinct names (client identities such as kv-sync-client and someone-else) keep distinct keys.
 */
function leafKey(names: string[]): string {
  return cachedRsaPem(createHash('sha256').update(names.join(',')).digest('hex').slice(0, 16));
}

/** A server certificate signed by the test CA; `days` may be small to test expiry warnings. */
export function issueCert(opts: { names?: string[]; days?: number } = {}): IssuedCert {
  const names = opts.names ?? ['localhost', '127.0.0.1', '::1'];
  const days = opts.days ?? 7;
  const id = `${names.join(',')}|${days}`;
  const cached = issued.get(id);
  if (cached) return cached;
  ensureTestCa();
  const ca = caPaths();
  const dir = fs.mkdtempSync(path.join(TEST_CA_DIR, 'leaf-'));
  const keyPath = path.join(dir, 'key.pem');
  const csrPath = path.join(dir, 'req.csr');
  const certPath = path.join(dir, 'cert.pem');
  const extPath = path.join(dir, 'ext.cnf');
  const san = names.map((n) => (/^[\d.]+$/.test(n) || n.includes(':') ? `IP:${n}` : `DNS:${n}`)).join(',');
  fs.writeFileSync(extPath, `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  fs.writeFileSync(keyPath, leafKey(names), { mode: 0o600 });
  openssl(['req', '-new', '-key', keyPath, '-out', csrPath, '-subj', `/CN=${names[0]}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    // A random serial per leaf: -CAcreateserial keeps a counter in ca.srl, which parallel test workers
    // signing at once corrupt ("Unable to load number from ca.srl").
    '-set_serial',
    `0x${randomBytes(16).toString('hex')}`,
    '-out',
    certPath,
    '-days',
    String(days),
    '-extfile',
    extPath,
  ]);
  const result = {
    cert: fs.readFileSync(certPath, 'utf8'),
    key: fs.readFileSync(keyPath, 'utf8'),
    ca: fs.readFileSync(ca.cert, 'utf8'),
  };
  // The PEMs are returned as text: the working files would otherwise pile up (hundreds of leaf-* per week).
  fs.rmSync(dir, { recursive: true, force: true });
  issued.set(id, result);
  return result;
}

if (require.main === module) {
  ensureTestCa();
  console.log(`test CA ready: ${caPaths().cert}`);
}
