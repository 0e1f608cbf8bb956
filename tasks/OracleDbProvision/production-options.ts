import { OCID } from '../common/connections/oci';
import { findInput } from '../common/manifest';
import { InputReader } from '../common/inputs';
import type { DbAction } from './options';
import { LicenseModel, ProductionSettings } from './production';

export type Target = 'ociApi' | 'operator';
export type OperatorOciAuth = 'instancePrincipal' | 'apiKey';

/**
 * Where each production input has an effect. The task.json is the contract: an input set (different from its
 * default) for an action or back end that would ignore it fails validation naming it, rather than letting a
 * plan go ahead that silently differs from what was asked. The operator column follows the Oracle Database
 * Operator's AutonomousDatabaseBase (oracle/oracle-database-operator, apis/database/v4/autonomousdatabase_types.go):
 * it has subnetId, nsgIds, privateEndpointLabel, licenseModel, dbVersion, isAutoScalingEnabled and freeformTags,
 * and no storage auto scaling, customer-managed key, defined tags or backup retention.
 */
const APPLIES: Record<string, { actions: DbAction[]; targets: Target[] }> = {
  subnetId: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  nsgIds: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  privateEndpointLabel: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  licenseModel: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  dbVersion: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  autoScaling: { actions: ['ensure', 'clone', 'restore', 'scale'], targets: ['ociApi', 'operator'] },
  storageAutoScaling: { actions: ['ensure', 'clone', 'restore', 'scale'], targets: ['ociApi'] },
  kmsKeyId: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi'] },
  kmsVaultId: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi'] },
  freeformTags: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi', 'operator'] },
  definedTags: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi'] },
  backupRetentionPeriodInDays: { actions: ['ensure', 'clone', 'restore'], targets: ['ociApi'] },
  // Through the operator: clone by spec.action Clone, restore in place by AutonomousDatabaseRestore, adopt by
  // spec.action Sync (checkOperatorLifecycle narrows what each of them takes).
  sourceDatabaseId: { actions: ['clone', 'restore'], targets: ['ociApi', 'operator'] },
  cloneType: { actions: ['clone', 'restore'], targets: ['ociApi', 'operator'] },
  restoreTimestamp: { actions: ['restore'], targets: ['ociApi', 'operator'] },
  autonomousDatabaseId: {
    actions: ['ensure', 'clone', 'restore', 'scale', 'start', 'stop', 'backup', 'wallet', 'delete'],
    targets: ['ociApi', 'operator'],
  },
  operatorOciAuth: {
    actions: ['ensure', 'clone', 'restore', 'scale', 'start', 'stop', 'backup', 'wallet', 'delete'],
    targets: ['operator'],
  },
};

/** Set = given and different from the task.json default (a default is never "set by the user"). */
export function isSet(inputs: InputReader, name: string): boolean {
  const value = inputs.raw(name);
  return value !== undefined && value.trim() !== (findInput(inputs.manifest, name).defaultValue ?? '').trim();
}

export function checkIgnoredInputs(inputs: InputReader, action: DbAction, target: Target): void {
  for (const [name, where] of Object.entries(APPLIES)) {
    if (!isSet(inputs, name)) continue;
    if (!where.actions.includes(action)) {
      inputs.problem(
        name,
        `is set, but action '${action}' does not use it (it applies to ${where.actions.join(', ')}).`,
        `Remove ${name} from this step.`,
      );
    } else if (!where.targets.includes(target)) {
      const why =
        target === 'operator'
          ? "the Oracle Database Operator's AutonomousDatabase resource has no such field"
          : 'it configures the operator only';
      inputs.problem(
        name,
        `is set, but target '${target}' cannot apply it: ${why}.`,
        target === 'operator' ? 'Use target: ociApi for this setting, or remove it.' : `Remove ${name} from this step.`,
      );
    }
  }
}

/**
 * What the operator's resources allow for clone and restore (oracle-database-operator apis/database/v4):
 * spec.clone.cloneType is FULL or METADATA only; the clone's resource is named spec.clone.displayName, so that
 * must be a resource name; AutonomousDatabaseRestore restores the database itself (in place), so it takes no
 * source and, as it discards every change after the time, needs confirmDelete.
 */
export function checkOperatorLifecycle(inputs: InputReader, action: DbAction, target: Target): void {
  if (target !== 'operator') return;
  const displayName = inputs.raw('displayName')?.trim() ?? '';
  if (action === 'clone') {
    if (inputs.raw('cloneType')?.trim().toUpperCase() === 'REFRESHABLE')
      inputs.problem(
        'cloneType',
        'REFRESHABLE is not available through the operator: its spec.clone.cloneType takes FULL or METADATA.',
        'Use FULL or METADATA, or target: ociApi for a refreshable clone.',
      );
    if (displayName && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(displayName))
      inputs.problem(
        'displayName',
        `'${displayName.slice(0, 80)}' cannot name the clone's AutonomousDatabase resource, which the operator names after the display name.`,
        'Use lower-case letters, digits and hyphens (at most 63), e.g. orders-reporting.',
      );
  }
  if (action === 'restore') {
    for (const name of ['sourceDatabaseId', 'cloneType'])
      if (isSet(inputs, name))
        inputs.problem(
          name,
          'is set, but through the operator restore rolls the database itself back in place (AutonomousDatabaseRestore), from its own backups.',
          `Remove ${name}, or use target: ociApi to restore into a new database.`,
        );
    if (inputs.raw('confirmDelete')?.trim().toLowerCase() !== 'true')
      inputs.problem(
        'confirmDelete',
        'must be true: an in-place restore discards every change made to the database after restoreTimestamp.',
        'Set confirmDelete: true in this step to confirm.',
      );
  }
}

const TAG_LINE = /^([^=\s][^=]{0,99})=(.{0,256})$/;
const DEFINED_LINE = /^([A-Za-z0-9_-]{1,100})\.([^=\s][^=]{0,99})=(.{0,256})$/;

function parseTags(
  inputs: InputReader,
  name: string,
  defined: boolean,
): Record<string, string> | Record<string, Record<string, string>> | undefined {
  const lines = inputs.list(name);
  if (!lines.length) return undefined;
  const out: Record<string, Record<string, string>> = {};
  const flat: Record<string, string> = {};
  for (const line of lines) {
    const m = (defined ? DEFINED_LINE : TAG_LINE).exec(line);
    if (!m) {
      inputs.problem(
        name,
        `'${line.slice(0, 60)}' is not ${defined ? 'Namespace.key=value' : 'key=value'}.`,
        defined
          ? 'Write one Namespace.key=value per line, e.g. Operations.CostCenter=42.'
          : 'Write one key=value per line, e.g. app=orders.',
      );
      continue;
    }
    if (defined) (out[m[1]] ??= {})[m[2].trim()] = m[3].trim();
    else flat[m[1].trim()] = m[2].trim();
  }
  return defined ? out : flat;
}

const tri = (inputs: InputReader, name: string): boolean | undefined => {
  const v = inputs.pick<'keep' | 'enabled' | 'disabled'>(name);
  return v === 'keep' ? undefined : v === 'enabled';
};

/** The production settings from the inputs, every problem named; cross-field rules OCI enforces checked here. */
export function readProductionSettings(inputs: InputReader, whitelistedIps: string[]): ProductionSettings {
  const ocid = (name: string, kind: string, example: string): string | undefined =>
    inputs.optionalString(name, { pattern: OCID(kind), expected: `an OCID such as ${example}` });
  const subnetId = ocid('subnetId', 'subnet', 'ocid1.subnet.oc1.eu-frankfurt-1.aaaa…');
  const nsgIds = inputs.list('nsgIds');
  for (const n of nsgIds)
    if (!OCID('networksecuritygroup').test(n))
      inputs.problem(
        'nsgIds',
        `'${n.slice(0, 80)}' is not a network security group OCID.`,
        'Write OCIDs such as ocid1.networksecuritygroup.oc1.eu-frankfurt-1.aaaa…',
      );
  const privateEndpointLabel = inputs.optionalString('privateEndpointLabel', {
    pattern: /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
    expected: 'a host name label: a letter, then letters, digits and hyphens (at most 63)',
  });
  if (!subnetId && (nsgIds.length || privateEndpointLabel)) {
    inputs.problem(
      nsgIds.length ? 'nsgIds' : 'privateEndpointLabel',
      'is set without subnetId: it applies only to a private endpoint.',
      "Set subnetId (the private endpoint's subnet), or remove it.",
    );
  }
  // OCI ignores the ACL of a database with a private endpoint: a plan with both would not be what was asked.
  if (subnetId && whitelistedIps.length) {
    inputs.problem(
      'whitelistedIps',
      'is set together with subnetId: an access control list applies only to a public endpoint, and OCI ignores it on a private one.',
      "Remove whitelistedIps and control access with nsgIds and the subnet's security lists, or remove subnetId for a public database.",
    );
  }
  const kmsKeyId = ocid('kmsKeyId', 'key', 'ocid1.key.oc1.eu-frankfurt-1.aaaa…');
  const vaultId = ocid('kmsVaultId', 'vault', 'ocid1.vault.oc1.eu-frankfurt-1.aaaa…');
  if (Boolean(kmsKeyId) !== Boolean(vaultId))
    inputs.problem(
      kmsKeyId ? 'kmsVaultId' : 'kmsKeyId',
      'is required with the other one: a customer-managed key is named by its key and its vault.',
      'Set both kmsKeyId and kmsVaultId, or neither.',
    );
  const licenseModel = inputs.optionalString('licenseModel', {
    pattern: /^(LICENSE_INCLUDED|BRING_YOUR_OWN_LICENSE)$/,
    expected: 'LICENSE_INCLUDED or BRING_YOUR_OWN_LICENSE',
  }) as LicenseModel | undefined;
  return {
    subnetId,
    nsgIds: nsgIds.length ? nsgIds : undefined,
    privateEndpointLabel,
    licenseModel,
    dbVersion: inputs.optionalString('dbVersion', {
      pattern: /^\d{2}[a-z]{1,2}$/,
      expected: 'an Oracle Database version such as 19c or 23ai',
    }),
    isAutoScalingEnabled: tri(inputs, 'autoScaling'),
    isAutoScalingForStorageEnabled: tri(inputs, 'storageAutoScaling'),
    kmsKeyId,
    vaultId,
    freeformTags: parseTags(inputs, 'freeformTags', false) as Record<string, string> | undefined,
    definedTags: parseTags(inputs, 'definedTags', true) as Record<string, Record<string, string>> | undefined,
    backupRetentionPeriodInDays: inputs.optionalNumber('backupRetentionPeriodInDays', {
      min: 1,
      max: 60,
      integer: true,
    }),
  };
}
