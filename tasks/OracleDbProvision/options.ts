import { isIP } from 'node:net';
import { KubernetesConnection, readKubernetesConnection } from '../common/connections/kubernetes';
import { OciConnection, readOciConnection } from '../common/connections/oci';
import { isOcidOf, readOcid } from '../common/ocid';
import { TaskHost } from '../common/host';
import { InputReader } from '../common/inputs';
import type { DesiredDb } from './model';
import { adminPasswordProblems, walletPasswordProblems } from './password-rules';
import {
  OperatorOciAuth,
  checkIgnoredInputs,
  checkOperatorLifecycle,
  readProductionSettings,
} from './production-options';
import { PublishOptions, readPublishOptions } from './publish/options';
import { resourceName } from './operator/cr';

export type DbAction = 'ensure' | 'clone' | 'restore' | 'scale' | 'start' | 'stop' | 'backup' | 'wallet' | 'delete';
export type CloneType = 'FULL' | 'METADATA' | 'REFRESHABLE';
export type DbWorkload = 'OLTP' | 'DW' | 'AJD' | 'APEX' | 'LH';

/** The inputs: the database settings `ensure` converges to, plus how and what to do. */
export interface OracleDbProvisionOptions extends DesiredDb {
  target: 'ociApi' | 'operator';
  action: DbAction;
  oci?: OciConnection;
  kubernetes?: KubernetesConnection;
  namespace: string;
  adminPassword?: string;
  adminPasswordSecretId?: string;
  walletPassword?: string;
  confirmDelete: boolean;
  waitTimeoutMinutes: number;
  /** Consumer group of the connectionString output; auto picks by workload. */
  connectionProfile: ConnectionProfileChoice;
  /** Adopt: the database by OCID instead of by display name. */
  autonomousDatabaseId?: string;
  /** clone: the source database and the kind of clone. */
  sourceDatabaseId?: string;
  cloneType: CloneType;
  /** restore: the point in time (ISO 8601) the new database is restored to from the source's backups. */
  restoreTimestamp?: string;
  /** How the Oracle Database Operator signs its OCI calls (spec.ociConfig). */
  operatorOciAuth: OperatorOciAuth;
  /** Where the credentials are delivered after the action (Key Vault, a Kubernetes Secret); absent: nowhere. */
  publish?: PublishOptions;
}

export type ConnectionProfileChoice = 'auto' | 'high' | 'medium' | 'low' | 'tp' | 'tpurgent';

export const DB_NAME = /^[A-Za-z][A-Za-z0-9]{0,29}$/;

/** An ACL entry: an IP, a CIDR block, or a VCN OCID optionally followed by ;IPs. */
export function isAclEntry(entry: string): boolean {
  const [head] = entry.split(';');
  if (isOcidOf(head, 'vcn')) return true;
  const [ip, bits, extra] = entry.split('/');
  if (extra !== undefined || !isIP(ip)) return false;
  if (bits === undefined) return true;
  const max = isIP(ip) === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max;
}

export function readOracleDbProvisionOptions(inputs: InputReader, host: TaskHost): OracleDbProvisionOptions {
  const target = inputs.pick<'ociApi' | 'operator'>('target');
  const action = inputs.pick<DbAction>('action');
  const adminPassword = inputs.secret('adminPassword');
  const walletPassword = inputs.secret('walletPassword');
  const operatorOciAuth = inputs.pick<OperatorOciAuth>('operatorOciAuth');
  const oci =
    target === 'ociApi' || operatorOciAuth === 'apiKey'
      ? readOciConnection(inputs, host.endpoints, 'ociConnection')
      : undefined;
  // With the OCI API, OCIDs are checked against the connection's realm and region (a secret in another region is a 404).
  const where = { connectionRegion: oci?.region, connectionInput: 'ociConnection' };
  const adminPasswordSecretId =
    readOcid(inputs, 'adminPasswordSecretId', {
      types: ['vaultsecret'],
      regional: true,
      example: 'ocid1.vaultsecret.oc1.eu-frankfurt-1.aaaa…',
      ...where,
    }) || undefined;
  if (adminPassword) {
    const problems = adminPasswordProblems(adminPassword);
    if (problems.length)
      inputs.problem(
        'adminPassword',
        `does not meet OCI's rules: it ${problems.join(', ')}.`,
        'Choose a password that does.',
      );
    if (adminPasswordSecretId)
      inputs.problem('adminPasswordSecretId', 'is set together with adminPassword.', 'Set only one of them.');
  }
  if (walletPassword) {
    const problems = walletPasswordProblems(walletPassword);
    if (problems.length)
      inputs.problem(
        'walletPassword',
        `does not meet OCI's rules: it ${problems.join(', ')}.`,
        'Choose a password that does.',
      );
  } else if (action === 'wallet') {
    inputs.problem('walletPassword', 'is required for the wallet action.', 'Set it from a secret variable.');
  }
  const displayNameRaw = inputs.raw('displayName') ?? '';
  const publish = readPublishOptions(inputs, host, action, resourceName(displayNameRaw));
  if (publish && !walletPassword && action !== 'wallet')
    inputs.problem(
      'walletPassword',
      'is required to publish the wallet (OCI encrypts the keystore in it with this password).',
      'Set it from a secret variable.',
    );
  const confirmDelete = inputs.boolean('confirmDelete');
  if (action === 'delete' && !confirmDelete)
    inputs.problem(
      'confirmDelete',
      'must be true to delete a database.',
      'Set confirmDelete: true in this step to confirm.',
    );
  const whitelistedIps = inputs.list('whitelistedIps');
  for (const entry of whitelistedIps) {
    if (!isAclEntry(entry))
      inputs.problem(
        'whitelistedIps',
        `'${entry}' is not an IP address, CIDR block or VCN OCID.`,
        'Write e.g. 203.0.113.7, 198.51.100.0/24 or ocid1.vcn.oc1…',
      );
  }
  const isFreeTier = inputs.boolean('isFreeTier');
  const isMtlsConnectionRequired = inputs.boolean('isMtlsConnectionRequired');
  // OCI refuses TLS-only (walletless) access to a public-endpoint database that has no ACL (a private one may).
  if (
    ['ensure', 'clone', 'restore'].includes(action) &&
    !isMtlsConnectionRequired &&
    whitelistedIps.length === 0 &&
    !inputs.raw('subnetId')
  ) {
    inputs.problem(
      'isMtlsConnectionRequired',
      'is false but whitelistedIps is empty: OCI allows TLS without a wallet only with an access control list.',
      'Set whitelistedIps, or keep isMtlsConnectionRequired true.',
    );
  }
  checkIgnoredInputs(inputs, action, target);
  checkOperatorLifecycle(inputs, action, target);
  const production = readProductionSettings(inputs, whitelistedIps);
  const adbOcid = {
    types: ['autonomousdatabase'],
    regional: true,
    example: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.aaaa…',
    ...where,
  };
  const sourceDatabaseId = readOcid(inputs, 'sourceDatabaseId', adbOcid) || undefined;
  // Through the operator, restore works on the database itself: no source.
  if ((action === 'clone' || (action === 'restore' && target === 'ociApi')) && !sourceDatabaseId)
    inputs.problem(
      'sourceDatabaseId',
      `is required for the ${action} action.`,
      `Set the OCID of the database to ${action}.`,
    );
  const restoreTimestamp = inputs.optionalString('restoreTimestamp', {
    pattern: (v) =>
      /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) && Date.parse(v) < Date.now(),
    expected: 'a past point in time in ISO 8601 with a zone, e.g. 2026-11-29T21:30:00Z',
  });
  if (action === 'restore' && !restoreTimestamp)
    inputs.problem(
      'restoreTimestamp',
      'is required for the restore action.',
      'Set the point in time to restore to, e.g. 2026-11-29T21:30:00Z.',
    );
  const cloneType = inputs.pick<CloneType>('cloneType');
  if (action === 'restore' && cloneType === 'REFRESHABLE')
    inputs.problem('cloneType', 'REFRESHABLE does not apply to a point-in-time restore.', 'Use FULL or METADATA.');
  // The operator reads tenancy, user, fingerprint, region and passphrase from a ConfigMap (commons/oci/provider.go):
  // a passphrase there would be a secret in clear text.
  if (target === 'operator' && oci?.passphrase) {
    inputs.problem(
      'ociConnection',
      "has an encrypted private key: the Oracle Database Operator reads the key's passphrase from a ConfigMap, where it would not be secret.",
      'Use a connection with an unencrypted API key for the operator, or operatorOciAuth: instancePrincipal on OKE.',
    );
  }
  const computeModel = inputs.pick<'ECPU' | 'OCPU'>('computeModel');
  const computeCount = inputs.number('computeCount', {
    min: computeModel === 'ECPU' ? 2 : 1,
    max: computeModel === 'ECPU' ? 512 : 128,
    integer: true,
  });
  return {
    target,
    action,
    oci,
    operatorOciAuth,
    autonomousDatabaseId: readOcid(inputs, 'autonomousDatabaseId', adbOcid) || undefined,
    sourceDatabaseId,
    cloneType,
    restoreTimestamp: restoreTimestamp ? new Date(restoreTimestamp).toISOString() : undefined,
    ...production,
    publish,
    kubernetes:
      target === 'operator' || publish?.kubernetesSecret
        ? // OKE exec users sign with the OCI connection. AKS through ARM would ship @azure/identity in this
          // task too (about 100 KB of the .vsix): the operator takes a kubeconfig or a service account token.
          readKubernetesConnection(inputs, host.endpoints, 'kubernetesServiceConnection', { oci })
        : undefined,
    namespace: inputs.string('namespace', {
      pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
      expected: 'a namespace name',
      maxLength: 63,
    }),
    compartmentId: readOcid(inputs, 'compartmentId', {
      types: ['compartment', 'tenancy'],
      example: 'ocid1.compartment.oc1..aaaa…',
      ...where,
    }),
    displayName: inputs.string('displayName', {
      pattern: /^[\w .-]+$/,
      expected: 'letters, digits, spaces, _ . -',
      maxLength: 255,
    }),
    dbName: inputs.optionalString('dbName', {
      pattern: DB_NAME,
      expected: 'a letter followed by at most 29 letters or digits',
    }),
    dbWorkload: inputs.pick<DbWorkload>('dbWorkload'),
    computeModel,
    computeCount,
    dataStorageSizeInTBs: inputs.number('dataStorageSizeInTBs', { min: 1, max: 384, integer: true }),
    isFreeTier,
    whitelistedIps,
    isMtlsConnectionRequired,
    adminPassword,
    adminPasswordSecretId,
    walletPassword,
    confirmDelete,
    waitTimeoutMinutes: inputs.number('waitTimeoutMinutes', { min: 1, max: 1440, integer: true }),
    connectionProfile: inputs.pick<ConnectionProfileChoice>('connectionProfile'),
  };
}
