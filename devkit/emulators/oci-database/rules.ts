/**
 * Field rules of the OCI Database API for Autonomous Databases (serverless), as its API reference
 * states them (CreateAutonomousDatabaseBase, UpdateAutonomousDatabaseDetails): what the emulator
 * answers 400 InvalidParameter to. Each function returns the problem, or undefined.
 */
import { isIP } from 'node:net';

export const DB_NAME = /^[A-Za-z][A-Za-z0-9]{0,29}$/;
export const WORKLOADS = ['OLTP', 'DW', 'AJD', 'APEX', 'LH'];
const OCID = (kind: string): RegExp => new RegExp(`^ocid1\\.${kind}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-z0-9]+$`);
export const COMPARTMENT_OCID = OCID('(compartment|tenancy)');

export function adminPasswordProblem(p: unknown): string | undefined {
  if (typeof p !== 'string') return 'adminPassword must be a string';
  if (p.length < 12 || p.length > 30 || !/[A-Z]/.test(p) || !/[a-z]/.test(p) || !/[0-9]/.test(p) || p.includes('"') || /admin/i.test(p)) {
    return 'The password must be between 12 and 30 characters long, and must contain at least 1 uppercase, 1 lowercase, and 1 numeric character. It cannot contain the double quote symbol (") or the username "admin", regardless of casing.';
  }
  return undefined;
}

export function walletPasswordProblem(p: unknown): string | undefined {
  if (typeof p !== 'string' || p.length < 8 || p.length > 60 || !/[A-Za-z]/.test(p) || !/[^A-Za-z]/.test(p)) {
    return 'The wallet password must be at least 8 characters long and include at least 1 letter and either 1 numeric character or 1 special character.';
  }
  return undefined;
}

export function computeProblem(model: unknown, count: unknown): string | undefined {
  if (count === undefined) return undefined;
  if (model !== 'ECPU' && model !== 'OCPU') return 'computeModel is required when computeCount is specified.';
  if (typeof count !== 'number' || !Number.isInteger(count)) return 'computeCount must be a whole number for Autonomous Database Serverless.';
  if (model === 'ECPU' && (count < 2 || count > 512)) return `The ECPU compute model requires computeCount between 2 and 512; got ${count}.`;
  if (model === 'OCPU' && (count < 1 || count > 128)) return `The OCPU compute model requires computeCount between 1 and 128; got ${count}.`;
  return undefined;
}

export function storageProblem(tb: unknown): string | undefined {
  if (tb === undefined) return undefined;
  if (typeof tb !== 'number' || !Number.isInteger(tb) || tb < 1 || tb > 384) return `dataStorageSizeInTBs must be a whole number from 1 to 384; got ${String(tb)}.`;
  return undefined;
}

export function aclProblem(ips: unknown): string | undefined {
  if (ips === undefined) return undefined;
  if (!Array.isArray(ips)) return 'whitelistedIps must be an array of strings.';
  for (const entry of ips as unknown[]) {
    if (entry === '' && ips.length === 1) continue;
    const s = String(entry);
    if (OCID('vcn').test(s.split(';')[0])) continue;
    const [ip, bits, extra] = s.split('/');
    const v = isIP(ip);
    if (!v || extra !== undefined || (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128)))) return `whitelistedIps entry '${s}' is not a valid IP address, CIDR block or VCN OCID.`;
  }
  return undefined;
}

/**
 * UpdateAutonomousDatabase: "This cannot be updated in parallel with any of the following…".
 * Compute count, compute model and storage may change together; each of the others goes alone.
 */
const PARALLEL_OK = new Set(['computeModel', 'computeCount', 'dataStorageSizeInTBs']);
const SOLO = new Set(['isFreeTier', 'dbName', 'dbWorkload', 'whitelistedIps', 'isMtlsConnectionRequired', 'adminPassword', 'licenseModel']);

export function parallelUpdateProblem(fields: string[]): string | undefined {
  const solo = fields.filter((f) => SOLO.has(f));
  if (solo.length && fields.length > 1) {
    const other = fields.find((f) => f !== solo[0])!;
    return `${solo[0]} cannot be updated in parallel with ${other}.`;
  }
  const unknown = fields.filter((f) => !SOLO.has(f) && !PARALLEL_OK.has(f) && f !== 'displayName');
  if (unknown.length) return `The emulator does not support updating ${unknown.join(', ')}.`;
  return undefined;
}
