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
  if (
    p.length < 12 ||
    p.length > 30 ||
    !/[A-Z]/.test(p) ||
    !/[a-z]/.test(p) ||
    !/[0-9]/.test(p) ||
    p.includes('"') ||
    /admin/i.test(p)
  ) {
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
  if (typeof count !== 'number' || !Number.isInteger(count))
    return 'computeCount must be a whole number for Autonomous Database Serverless.';
  if (model === 'ECPU' && (count < 2 || count > 512))
    return `The ECPU compute model requires computeCount between 2 and 512; got ${count}.`;
  if (model === 'OCPU' && (count < 1 || count > 128))
    return `The OCPU compute model requires computeCount between 1 and 128; got ${count}.`;
  return undefined;
}

export function storageProblem(tb: unknown): string | undefined {
  if (tb === undefined) return undefined;
  if (typeof tb !== 'number' || !Number.isInteger(tb) || tb < 1 || tb > 384)
    return `dataStorageSizeInTBs must be a whole number from 1 to 384; got ${String(tb)}.`;
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
    if (
      !v ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128)))
    )
      return `whitelistedIps entry '${s}' is not a valid IP address, CIDR block or VCN OCID.`;
  }
  return undefined;
}

/**
 * UpdateAutonomousDatabase: "This cannot be updated in parallel with any of the following…".
 * Compute count, compute model and storage may change together, so may the private endpoint's subnet and
 * label, and the two tag maps; each of the others goes alone.
 */
const GROUPS = [
  new Set(['computeModel', 'computeCount', 'dataStorageSizeInTBs']),
  new Set(['subnetId', 'privateEndpointLabel']),
  new Set(['freeformTags', 'definedTags']),
];
const SOLO = new Set([
  'isFreeTier',
  'dbName',
  'dbWorkload',
  'whitelistedIps',
  'isMtlsConnectionRequired',
  'adminPassword',
  'licenseModel',
  'dbVersion',
  'isAutoScalingEnabled',
  'isAutoScalingForStorageEnabled',
  'encryptionKey',
  'backupRetentionPeriodInDays',
  'nsgIds',
]);

export function parallelUpdateProblem(fields: string[]): string | undefined {
  const solo = fields.filter((f) => SOLO.has(f));
  if (solo.length && fields.length > 1) {
    const other = fields.find((f) => f !== solo[0])!;
    return `${solo[0]} cannot be updated in parallel with ${other}.`;
  }
  const unknown = fields.filter((f) => !SOLO.has(f) && !GROUPS.some((g) => g.has(f)) && f !== 'displayName');
  if (unknown.length) return `The emulator does not support updating ${unknown.join(', ')}.`;
  const group = GROUPS.find((g) => g.has(fields[0]));
  const stray = group && fields.find((f) => !group.has(f));
  if (stray) return `${fields[0]} cannot be updated in parallel with ${stray}.`;
  return undefined;
}

export const DB_VERSIONS = ['19c', '23ai'];

/** Private endpoint, licence, version, key, retention: what CreateAutonomousDatabaseBase and the update refuse. */
export function productionProblem(
  body: Record<string, unknown>,
  current?: { subnetId?: string; isFreeTier: boolean; dbVersion: string; whitelistedIps: string[] },
): string | undefined {
  const subnetId = body.subnetId ?? current?.subnetId;
  if (body.subnetId !== undefined && !OCID('subnet').test(String(body.subnetId)))
    return `subnetId '${String(body.subnetId)}' is not a subnet OCID.`;
  if (body.nsgIds !== undefined) {
    if (!Array.isArray(body.nsgIds) || body.nsgIds.some((n) => !OCID('networksecuritygroup').test(String(n))))
      return 'nsgIds must be network security group OCIDs.';
    if (!subnetId) return 'nsgIds can be set only for a database with a private endpoint (subnetId).';
  }
  if (body.privateEndpointLabel !== undefined && !subnetId)
    return 'privateEndpointLabel can be set only with subnetId.';
  const ips = (body.whitelistedIps as string[] | undefined) ?? current?.whitelistedIps ?? [];
  if (subnetId && ips.filter(Boolean).length)
    return 'whitelistedIps cannot be set for a database with a private endpoint; use network security groups.';
  const free = body.isFreeTier === true || current?.isFreeTier === true;
  if (body.licenseModel !== undefined) {
    if (body.licenseModel !== 'LICENSE_INCLUDED' && body.licenseModel !== 'BRING_YOUR_OWN_LICENSE')
      return `licenseModel '${String(body.licenseModel)}' is not LICENSE_INCLUDED or BRING_YOUR_OWN_LICENSE.`;
    if (free && body.licenseModel === 'BRING_YOUR_OWN_LICENSE')
      return 'Always Free Autonomous Databases must use LICENSE_INCLUDED.';
  }
  if (body.dbVersion !== undefined) {
    if (!DB_VERSIONS.includes(String(body.dbVersion)))
      return `dbVersion '${String(body.dbVersion)}' is not available; available: ${DB_VERSIONS.join(', ')}.`;
    if (current && DB_VERSIONS.indexOf(String(body.dbVersion)) < DB_VERSIONS.indexOf(current.dbVersion))
      return `The database cannot be downgraded from ${current.dbVersion} to ${String(body.dbVersion)}.`;
  }
  if ((body.kmsKeyId !== undefined) !== (body.vaultId !== undefined))
    return 'kmsKeyId and vaultId must be specified together.';
  const key =
    (body.encryptionKey as Record<string, unknown> | undefined) ??
    (body.kmsKeyId ? { provider: 'OCI', kmsKeyId: body.kmsKeyId, vaultId: body.vaultId } : undefined);
  if (key) {
    if (free) return 'Always Free Autonomous Databases cannot use customer-managed keys.';
    if (key.provider !== 'OCI' || !OCID('key').test(String(key.kmsKeyId)) || !OCID('vault').test(String(key.vaultId)))
      return 'encryptionKey must name an OCI Vault key (provider OCI, kmsKeyId, vaultId).';
  }
  const days = body.backupRetentionPeriodInDays;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 60))
    return 'backupRetentionPeriodInDays must be from 1 to 60.';
  return undefined;
}
