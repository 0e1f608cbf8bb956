/**
 * A real wallet zip, as GenerateAutonomousDatabaseWallet returns (application/zip): tnsnames.ora
 * with the database's profiles, sqlnet.ora, ojdbc.properties, a README and keystore stand-ins.
 * Built with node:zlib (deflate) and a hand-written zip container, so tests need no zip tool.
 */
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';

export function zip(files: Record<string, Buffer | string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const packed = zlib.deflateRawSync(data);
    const nameBuf = Buffer.from(name, 'utf8');
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBuf.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    central.push(entry, nameBuf);
    offset += 30 + nameBuf.length + packed.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

export interface Profile {
  displayName: string;
  value: string;
  consumerGroup: string;
  protocol: string;
  tlsAuthentication: 'MUTUAL' | 'SERVER';
  hostFormat: string;
  sessionMode: string;
  syntaxFormat: string;
  isRegional: boolean;
}

/** The profiles OCI lists for a serverless database: per consumer group, mTLS always, TLS when allowed. */
export function connectionProfiles(
  dbName: string,
  workload: string,
  region: string,
  mtlsRequired: boolean,
  servicePrefix: string,
): Profile[] {
  const groups = ['HIGH', 'MEDIUM', 'LOW', ...(['OLTP', 'AJD', 'APEX'].includes(workload) ? ['TP', 'TPURGENT'] : [])];
  const host = `adb.${region}.oraclecloud.com`;
  const modes: ('MUTUAL' | 'SERVER')[] = mtlsRequired ? ['MUTUAL'] : ['MUTUAL', 'SERVER'];
  return modes.flatMap((tls) =>
    groups.map((g) => ({
      displayName: `${dbName.toLowerCase()}_${g.toLowerCase()}`,
      value: `(description= (retry_count=20)(retry_delay=3)(address=(protocol=tcps)(port=${tls === 'MUTUAL' ? 1522 : 1521})(host=${host}))(connect_data=(service_name=${servicePrefix}_${dbName.toLowerCase()}_${g.toLowerCase()}.adb.oraclecloud.com))(security=(ssl_server_dn_match=yes)))`,
      consumerGroup: g,
      protocol: 'TCPS',
      tlsAuthentication: tls,
      hostFormat: 'FQDN',
      sessionMode: 'DIRECT',
      syntaxFormat: 'LONG',
      isRegional: false,
    })),
  );
}

export function walletZip(dbName: string, profiles: Profile[]): Buffer {
  return zip(walletFiles(dbName, profiles));
}

/** The files of an Autonomous Database wallet, at their real names and sizes (the keystores new on every call). */
export function walletFiles(dbName: string, profiles: Profile[]): Record<string, Buffer | string> {
  const tns = profiles
    .filter((p) => p.tlsAuthentication === 'MUTUAL')
    .map((p) => `${p.displayName} = ${p.value}\n`)
    .join('\n');
  return {
    'tnsnames.ora': tns,
    'sqlnet.ora':
      'WALLET_LOCATION = (SOURCE = (METHOD = file) (METHOD_DATA = (DIRECTORY="?/network/admin")))\nSSL_SERVER_DN_MATCH=yes\n',
    'ojdbc.properties': 'oracle.net.wallet_location=(source=(method=file)(method_data=(directory=${TNS_ADMIN})))\n',
    README: readme(dbName),
    // Keystores at the sizes a real Autonomous Database wallet has (about 20-30 KB zipped in all): their bytes are
    // encrypted, so random bytes compress as little as the real ones, and publishing meets the real sizes.
    'cwallet.sso': crypto.randomBytes(5_600),
    'ewallet.p12': crypto.randomBytes(5_500),
    'ewallet.pem': pem(6_200),
    'keystore.jks': crypto.randomBytes(3_100),
    'truststore.jks': crypto.randomBytes(2_900),
  };
}

/** A PEM bundle (private key and certificates) of about `size` characters: base64 of random bytes, 64 a line. */
function pem(size: number): string {
  const block = (label: string, bytes: number): string => {
    const lines =
      crypto
        .randomBytes(bytes)
        .toString('base64')
        .match(/.{1,64}/g) ?? [];
    return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
  };
  const key = Math.round(size * 0.3);
  const cert = Math.round((size * 0.7) / 3);
  return [block('ENCRYPTED PRIVATE KEY', key), ...[1, 2, 3].map(() => block('CERTIFICATE', cert))].join('');
}

function readme(dbName: string): string {
  return [
    `Wallet for ${dbName}. Generated by the OCI Database emulator.`,
    '',
    'This wallet contains the files needed to connect to your Autonomous Database over mutual TLS:',
    'cwallet.sso (auto-login wallet), ewallet.p12 (PKCS#12 wallet), ewallet.pem (PEM wallet),',
    'keystore.jks and truststore.jks (Java keystores), ojdbc.properties, sqlnet.ora and tnsnames.ora.',
    'Keep it secure: anyone with the wallet and a database password can connect to the database.',
    '',
  ].join('\n');
}
