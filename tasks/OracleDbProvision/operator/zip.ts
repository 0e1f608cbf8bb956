import * as zlib from 'node:zlib';

/** CRC-32 (IEEE), computed here: zlib.crc32 exists only from Node 20.15, older agents ship less. */
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip (deflate) of named files: the same layout OCI's wallet download has, for sqlplus/JDBC/node-oracledb. */
export function zipFiles(files: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const packed = zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const header = (central: boolean): Buffer => {
      const b = Buffer.alloc(central ? 46 : 30);
      let i = 0;
      b.writeUInt32LE(central ? 0x02014b50 : 0x04034b50, i);
      i += 4;
      if (central) b.writeUInt16LE(20, (i += 2) - 2); // version made by
      b.writeUInt16LE(20, i); // version needed
      b.writeUInt16LE(0x0800, i + 2); // UTF-8 names
      b.writeUInt16LE(8, i + 4); // deflate
      b.writeUInt32LE(crc, i + 10);
      b.writeUInt32LE(packed.length, i + 14);
      b.writeUInt32LE(data.length, i + 18);
      b.writeUInt16LE(nameBuf.length, i + 22);
      if (central) b.writeUInt32LE(offset, 42);
      return b;
    };
    central.push(header(true), nameBuf);
    parts.push(header(false), nameBuf, packed);
    offset += 30 + nameBuf.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}
