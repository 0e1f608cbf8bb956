/**
 * A small CBOR encoder for the tests' signers, written from RFC 8949 and independent of the CBOR library the
 * product decodes with (@levischuck/tiny-cbor), so a signed envelope does not merely mirror the reader.
 * Output is "core deterministic" (RFC 8949 §4.2.1): shortest argument encodings, definite lengths, map keys
 * sorted by their encoded bytes, which is what go-cose / fxamacker/cbor (Notation's encoder) write too.
 */
export type Cbor =
  number | string | boolean | null | Uint8Array | Cbor[] | Map<string | number, Cbor> | { tag: number; value: Cbor };

const UINT = 0;
const NEGINT = 1;
const BYTES = 2;
const TEXT = 3;
const ARRAY = 4;
const MAP = 5;
const TAG = 6;
const SIMPLE = 7;

/** The initial byte and the argument in its shortest form (§3, §4.2.1). */
function head(major: number, arg: number): Buffer {
  const m = major << 5;
  if (arg < 24) return Buffer.from([m | arg]);
  if (arg < 0x100) return Buffer.from([m | 24, arg]);
  if (arg < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = m | 25;
    b.writeUInt16BE(arg, 1);
    return b;
  }
  if (arg < 0x100000000) {
    const b = Buffer.alloc(5);
    b[0] = m | 26;
    b.writeUInt32BE(arg, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = m | 27;
  b.writeBigUInt64BE(BigInt(arg), 1);
  return b;
}

export function cborEncode(v: Cbor): Buffer {
  if (v === null) return Buffer.from([(SIMPLE << 5) | 22]);
  if (v === false) return Buffer.from([(SIMPLE << 5) | 20]);
  if (v === true) return Buffer.from([(SIMPLE << 5) | 21]);
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return v >= 0 ? head(UINT, v) : head(NEGINT, -1 - v);
    const b = Buffer.alloc(9);
    b[0] = (SIMPLE << 5) | 27;
    b.writeDoubleBE(v, 1);
    return b;
  }
  if (typeof v === 'string') {
    const t = Buffer.from(v, 'utf8');
    return Buffer.concat([head(TEXT, t.length), t]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(BYTES, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(ARRAY, v.length), ...v.map(cborEncode)]);
  if (v instanceof Map) {
    const entries = [...v].map(([k, val]) => [cborEncode(k), cborEncode(val)] as const);
    entries.sort(([a], [b]) => Buffer.compare(a, b));
    return Buffer.concat([head(MAP, entries.length), ...entries.flat()]);
  }
  return Buffer.concat([head(TAG, v.tag), cborEncode(v.value)]);
}
