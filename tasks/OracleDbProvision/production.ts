/**
 * The production settings of an Autonomous Database (network, licence, version, auto scaling, encryption key,
 * tags, backup retention): their shape, and which of them `ensure` converges in place. Field names are those
 * of the OCI Database API (CreateAutonomousDatabaseBase, UpdateAutonomousDatabaseDetails, AutonomousDatabase).
 * An undefined setting is not managed: whatever the database has is left alone.
 */
export type LicenseModel = 'LICENSE_INCLUDED' | 'BRING_YOUR_OWN_LICENSE';

export interface ProductionSettings {
  subnetId?: string;
  nsgIds?: string[];
  privateEndpointLabel?: string;
  licenseModel?: LicenseModel;
  dbVersion?: string;
  isAutoScalingEnabled?: boolean;
  isAutoScalingForStorageEnabled?: boolean;
  /** Customer-managed key (OCI Vault master key) and its vault. */
  kmsKeyId?: string;
  vaultId?: string;
  freeformTags?: Record<string, string>;
  /** namespace → key → value */
  definedTags?: Record<string, Record<string, string>>;
  backupRetentionPeriodInDays?: number;
}

export interface SettingChange {
  field: string;
  from: unknown;
  to: unknown;
}

/** One UpdateAutonomousDatabase request, or a change OCI cannot make in place. */
export interface ProductionDrift {
  updates: { changes: SettingChange[]; details: Record<string, unknown> }[];
  /** Changes that need a new database: the plan says so and refuses; nothing is destroyed. */
  replace: string[];
}

/** "19c" → 19, "23ai" → 23; OCI only upgrades in place. */
export function majorVersion(v: string | undefined): number | undefined {
  const m = /^(\d+)/.exec(v ?? '');
  return m ? Number(m[1]) : undefined;
}

const sameSet = (a: string[] = [], b: string[] = []): boolean =>
  [...new Set(a)].sort().join() === [...new Set(b)].sort().join();

/** Keys the inputs set that differ on the database; keys set by others (Oracle-Tags, people) are kept. */
function tagDrift(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).some(([k, v]) => (have ?? {})[k] !== v);
}

function definedDrift(want: ProductionSettings['definedTags'], have: ProductionSettings['definedTags']): boolean {
  return Object.entries(want ?? {}).some(([ns, tags]) => tagDrift(tags, (have ?? {})[ns]));
}

/**
 * What differs, as requests OCI accepts: each setting is sent alone (UpdateAutonomousDatabase refuses most
 * fields "updated in parallel"), except the private endpoint (subnet with its label) and the two tag maps.
 */
export function productionDrift(want: ProductionSettings, have: ProductionSettings): ProductionDrift {
  const updates: ProductionDrift['updates'] = [];
  const replace: string[] = [];
  const single = (
    field: string,
    from: unknown,
    to: unknown,
    details: Record<string, unknown> = { [field]: to },
  ): void => void updates.push({ changes: [{ field, from, to }], details });

  if (want.subnetId && want.subnetId !== have.subnetId) {
    const details: Record<string, unknown> = { subnetId: want.subnetId };
    const changes: SettingChange[] = [
      { field: 'subnetId', from: have.subnetId ?? '(public endpoint)', to: want.subnetId },
    ];
    if (want.privateEndpointLabel) {
      details.privateEndpointLabel = want.privateEndpointLabel;
      changes.push({ field: 'privateEndpointLabel', from: have.privateEndpointLabel, to: want.privateEndpointLabel });
    }
    updates.push({ changes, details });
  } else if (want.privateEndpointLabel && want.privateEndpointLabel !== have.privateEndpointLabel) {
    single('privateEndpointLabel', have.privateEndpointLabel, want.privateEndpointLabel);
  }
  if (want.nsgIds && !sameSet(want.nsgIds, have.nsgIds)) single('nsgIds', have.nsgIds ?? [], want.nsgIds);
  if (want.licenseModel && want.licenseModel !== have.licenseModel)
    single('licenseModel', have.licenseModel, want.licenseModel);
  if (want.dbVersion && want.dbVersion !== have.dbVersion) {
    const [w, h] = [majorVersion(want.dbVersion), majorVersion(have.dbVersion)];
    if (w !== undefined && h !== undefined && w < h) {
      replace.push(
        `dbVersion ${have.dbVersion} → ${want.dbVersion} is a downgrade, which OCI cannot do in place: it needs a new database (a clone or a restore into a new database of that version)`,
      );
    } else single('dbVersion', have.dbVersion, want.dbVersion);
  }
  if (want.isAutoScalingEnabled !== undefined && want.isAutoScalingEnabled !== have.isAutoScalingEnabled) {
    single('isAutoScalingEnabled', have.isAutoScalingEnabled, want.isAutoScalingEnabled);
  }
  if (
    want.isAutoScalingForStorageEnabled !== undefined &&
    want.isAutoScalingForStorageEnabled !== have.isAutoScalingForStorageEnabled
  ) {
    single('isAutoScalingForStorageEnabled', have.isAutoScalingForStorageEnabled, want.isAutoScalingForStorageEnabled);
  }
  if (want.kmsKeyId && want.kmsKeyId !== have.kmsKeyId) {
    // UpdateAutonomousDatabaseDetails.encryptionKey (OciKeyDetails): rotates onto the customer-managed key in place.
    single('kmsKeyId', have.kmsKeyId ?? '(Oracle-managed)', want.kmsKeyId, {
      encryptionKey: { provider: 'OCI', kmsKeyId: want.kmsKeyId, vaultId: want.vaultId },
    });
  }
  const tagChanges: SettingChange[] = [];
  const tagDetails: Record<string, unknown> = {};
  if (tagDrift(want.freeformTags, have.freeformTags)) {
    tagChanges.push({ field: 'freeformTags', from: have.freeformTags ?? {}, to: want.freeformTags });
    tagDetails.freeformTags = { ...have.freeformTags, ...want.freeformTags };
  }
  if (definedDrift(want.definedTags, have.definedTags)) {
    tagChanges.push({ field: 'definedTags', from: have.definedTags ?? {}, to: want.definedTags });
    const merged: Record<string, Record<string, string>> = { ...have.definedTags };
    for (const [ns, tags] of Object.entries(want.definedTags ?? {})) merged[ns] = { ...merged[ns], ...tags };
    tagDetails.definedTags = merged;
  }
  if (tagChanges.length) updates.push({ changes: tagChanges, details: tagDetails });
  if (
    want.backupRetentionPeriodInDays !== undefined &&
    want.backupRetentionPeriodInDays !== have.backupRetentionPeriodInDays
  ) {
    single('backupRetentionPeriodInDays', have.backupRetentionPeriodInDays, want.backupRetentionPeriodInDays);
  }
  return { updates, replace };
}

/** The CreateAutonomousDatabaseBase fields for these settings (undefined ones left out). */
export function productionCreateFields(s: ProductionSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {
    subnetId: s.subnetId,
    nsgIds: s.nsgIds?.length ? s.nsgIds : undefined,
    privateEndpointLabel: s.privateEndpointLabel,
    licenseModel: s.licenseModel,
    dbVersion: s.dbVersion,
    isAutoScalingEnabled: s.isAutoScalingEnabled,
    isAutoScalingForStorageEnabled: s.isAutoScalingForStorageEnabled,
    kmsKeyId: s.kmsKeyId,
    vaultId: s.vaultId,
    freeformTags: s.freeformTags,
    definedTags: s.definedTags,
    backupRetentionPeriodInDays: s.backupRetentionPeriodInDays,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
