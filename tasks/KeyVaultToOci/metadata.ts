import { SinkMeta, SourceSecret } from './sync-model';

/**
 * Key Vault metadata carried onto the OCI secret, and the tags that mark a secret as created by this task.
 * Pure: no I/O, no values.
 *
 * - Key Vault tags become freeform tags (OCI: keys 1-100 characters, values at most 256; ours win on a clash).
 * - The content type goes into the OCI secret's `metadata` map (OCI has no content type of its own).
 * - Key Vault's expiry becomes a SECRET_EXPIRY_RULE with timeOfAbsoluteExpiry and retrieval blocked on expiry.
 *   OCI accepts an absolute expiry only between 1 and 365 days from now (Vault API, SecretExpiryRule): an
 *   expiry outside that window is not mapped, and the plan says so.
 */

export const SYNCED_BY = 'multicloud-devsecops';
/** Set by `onSourceRemoved: disable`; cleared when the source is enabled again. */
export const DISABLED_TAG = 'source-state';
const DAY = 86_400_000;

export interface Origin {
  /** Key Vault name as given in keyVaultName, e.g. kv-shop. */
  vault: string;
  /** Key Vault secret name. */
  secret: string;
}

/** The tags every secret this task writes carries; `synced-from` was the only origin tag of 0.1 and is kept. */
export function originTags(o: Origin): Record<string, string> {
  return {
    'synced-by': SYNCED_BY,
    'synced-from': `Azure Key Vault ${o.vault}/${o.secret}`.slice(0, 256),
    'source-vault': o.vault,
    'source-secret': o.secret,
  };
}

/** The Key Vault secret an OCI secret was created from, when this task created it (for `vault`). */
export function ownerOf(tags: Record<string, string> | undefined, vault: string): string | undefined {
  if (!tags || tags['synced-by'] !== SYNCED_BY) return undefined;
  if (tags['source-vault'] && tags['source-secret']) {
    return tags['source-vault'].toLowerCase() === vault.toLowerCase() ? tags['source-secret'] : undefined;
  }
  const m = /^Azure Key Vault ([^/]+)\/(.+)$/.exec(tags['synced-from'] ?? '');
  return m && m[1].toLowerCase() === vault.toLowerCase() ? m[2] : undefined;
}

export interface DesiredMeta {
  meta: SinkMeta;
  /** Metadata that could not be carried, said in the plan. */
  notes: string[];
}

const TAG_KEY = /^[^\s]{1,100}$/;

export function desiredMeta(source: SourceSecret, vault: string, now: Date): DesiredMeta {
  const notes: string[] = [];
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.tags ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (!TAG_KEY.test(k) || v.length > 256)
      notes.push(`tag '${k.slice(0, 40)}' not carried (OCI: key 1-100 characters without spaces, value ≤ 256)`);
    else tags[k] = v;
  }
  Object.assign(tags, originTags({ vault, secret: source.name }));
  let expiry: string | undefined;
  if (source.expiresOn) {
    const ahead = source.expiresOn.getTime() - now.getTime();
    if (ahead >= DAY && ahead <= 365 * DAY)
      expiry = new Date(Math.floor(source.expiresOn.getTime() / 1000) * 1000).toISOString();
    else if (ahead > 0)
      notes.push(`expiry ${source.expiresOn.toISOString()} not carried (OCI accepts 1 to 365 days ahead)`);
  }
  return {
    meta: {
      freeformTags: tags,
      contentType: source.contentType || undefined,
      expiry,
      blockedOnExpiry: expiry ? true : undefined,
    },
    notes,
  };
}

/** The names of the metadata fields that differ (empty: nothing to update). */
export function metaDiff(want: SinkMeta, have: SinkMeta): string[] {
  const out: string[] = [];
  const norm = (t: Record<string, string>): string =>
    JSON.stringify(Object.entries(t).sort(([a], [b]) => a.localeCompare(b)));
  if (norm(want.freeformTags) !== norm(have.freeformTags)) out.push('tags');
  if ((want.contentType ?? '') !== (have.contentType ?? '')) out.push('contentType');
  const time = (s?: string): number | undefined => (s ? Math.floor(new Date(s).getTime() / 1000) : undefined);
  if (time(want.expiry) !== time(have.expiry) || (!want.expiry && have.blockedOnExpiry)) out.push('expiry');
  return out;
}

/** What `disable` writes: retrieval blocked after OCI's shortest allowed expiry (one day), and a marker tag. */
export function disabledMeta(have: SinkMeta, now: Date): SinkMeta {
  return {
    ...have,
    freeformTags: { ...have.freeformTags, [DISABLED_TAG]: 'disabled' },
    expiry: new Date(Math.ceil((now.getTime() + DAY + 60_000) / 1000) * 1000).toISOString(),
    blockedOnExpiry: true,
  };
}
