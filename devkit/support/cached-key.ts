import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_CA_DIR } from '../project';

/**
 * A test RSA 2048 key kept under build/test-ca/keys beside the test CA (never committed) and reused by every
 * later test process: generating one costs ~0.3 s of CPU, and each mocha worker used to make the Entra
 * emulator's signing key and the OCI test key again (issue 12). Parallel workers may make the same key at
 * once: each writes its own temporary file and renames it into place, and uses the key it read or made.
 */
export function cachedRsaPem(name: string): string {
  const file = path.join(TEST_CA_DIR, 'keys', `${name}.pem`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, pem, { mode: 0o600 });
    fs.renameSync(tmp, file);
    return pem;
  }
}

/** The key pair of cachedRsaPem, as generateKeyPairSync returns one. */
export function cachedRsaKey(name: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey(cachedRsaPem(name));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
