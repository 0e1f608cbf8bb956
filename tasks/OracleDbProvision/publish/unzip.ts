import * as zlib from 'node:zlib';
import { TaskError } from '../../common/errors';
import { crc32 } from '../operator/zip';

/**
 * The files of a wallet zip, read with Node alone (the agent has no unzip tool we may rely on). Follows the
 * central directory, as PKWARE's APPNOTE.TXT (4.3.6, 4.3.12) requires: local headers may defer their sizes to a
 * data descriptor. Stored (0) and deflated (8) entries only, which is what OCI and the operator produce; each
 * entry's CRC-32 is checked so a damaged download is never published.
 */
export function unzipWallet(zip: Buffer): [string, Buffer][] {
  let eocd = zip.length - 22;
  while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new TaskError('The wallet is not a zip file (no end of central directory).');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const files: [string, Buffer][] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw new TaskError('The wallet zip is damaged (central directory).');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const packedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (name.endsWith('/')) continue;
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const packed = zip.subarray(start, start + packedSize);
    if (method !== 0 && method !== 8)
      throw new TaskError(`The wallet zip entry '${name}' uses compression method ${method}; only 0 and 8 are read.`);
    const data = method === 8 ? zlib.inflateRawSync(packed) : packed;
    if (crc32(data) !== crc) throw new TaskError(`The wallet zip entry '${name}' is damaged (CRC-32 mismatch).`);
    // Wallets are flat; a path (never seen from OCI) keeps only its base name, as TNS_ADMIN is one directory.
    files.push([name.slice(name.lastIndexOf('/') + 1), data]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
