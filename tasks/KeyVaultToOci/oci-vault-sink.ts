import { AgentNetwork } from '../common/network/agent-network';
import { randomUUID } from 'node:crypto';
import type { models } from 'oci-vault';
import { OciConnection } from '../common/connections/oci';
import { ociClientFactory } from '../common/oci/clients';
import { OciFixes, ociAnswer, ociFailure } from '../common/oci/errors';
import { ociRetryConfiguration, transientOciFailure } from '../common/oci/retry';
import { ociRetryToken } from '../common/oci/retry-token';
import { RetryPolicy } from '../common/retry-policy';
import { retrying } from '../common/retrying';
import { sleep } from '../common/sleep';
import { DISABLED_TAG, ownerOf } from './metadata';
import { SecretSink, SinkMeta, SinkState } from './sync-model';

export interface OciVaultSinkOptions {
  network?: AgentNetwork;
  connection: OciConnection;
  compartmentId: string;
  vaultId: string;
  keyId: string;
  deadline: number;
  signal: AbortSignal;
  retry: RetryPolicy;
  /** Polling interval while a cancelled deletion settles. */
  pollMs?: number;
}

interface Summary {
  id: string;
  secretName: string;
  lifecycleState: string;
  timeOfDeletion?: Date | string;
  freeformTags?: Record<string, string>;
}
type SecretExpiryRule = models.SecretExpiryRule;
interface RuleLike {
  ruleType?: string;
  timeOfAbsoluteExpiry?: Date | string;
  isSecretContentRetrievalBlockedOnExpiry?: boolean;
}

/** The task's view of an OCI secret's metadata: freeform tags, metadata.contentType and the absolute expiry rule. */
export function metaOf(s: {
  freeformTags?: Record<string, string>;
  metadata?: Record<string, unknown>;
  secretRules?: RuleLike[];
}): SinkMeta {
  const rule = (s.secretRules ?? []).find((r) => r.ruleType === 'SECRET_EXPIRY_RULE');
  const contentType = s.metadata?.contentType;
  return {
    freeformTags: { ...(s.freeformTags ?? {}) },
    contentType: typeof contentType === 'string' ? contentType : undefined,
    expiry: rule?.timeOfAbsoluteExpiry ? new Date(rule.timeOfAbsoluteExpiry).toISOString() : undefined,
    blockedOnExpiry: rule?.isSecretContentRetrievalBlockedOnExpiry || undefined,
  };
}

/** UpdateSecret/CreateSecret fields for a SinkMeta (freeformTags replace the whole map, as OCI does). */
function metaDetails(m: SinkMeta): {
  freeformTags: Record<string, string>;
  metadata: Record<string, string>;
  secretRules: SecretExpiryRule[];
} {
  return {
    freeformTags: m.freeformTags,
    metadata: m.contentType ? { contentType: m.contentType } : {},
    secretRules: m.expiry
      ? [
          {
            ruleType: 'SECRET_EXPIRY_RULE',
            timeOfAbsoluteExpiry: new Date(m.expiry),
            isSecretContentRetrievalBlockedOnExpiry: m.blockedOnExpiry === true,
          },
        ]
      : [],
  };
}

const USABLE = ['ACTIVE', 'UPDATING', 'CREATING'];

/** OCI Vault through oci-vault (management) and oci-secrets (bundles), with explicit retries and no circuit breaker. */
export async function createOciVaultSink(opts: OciVaultSinkOptions): Promise<SecretSink> {
  const [vault, secretsSdk] = await Promise.all([import('oci-vault'), import('oci-secrets')]);
  const policy = opts.retry;
  const oci = await ociClientFactory(
    opts.connection,
    {
      policy,
      deadline: opts.deadline,
      signal: opts.signal,
      retryable: (e) => transientOciFailure(e, { incorrectState: true }),
    },
    opts.network,
  );
  const vaults = oci.create(vault.VaultsClient);
  const bundles = oci.create(secretsSdk.SecretsClient);
  // CancelSecretDeletion answers 409 when the secret is no longer pending deletion: that is an answer, not a glitch.
  const cancelRetry = ociRetryConfiguration({ policy, deadline: opts.deadline, signal: opts.signal });

  // UpdateSecret takes no retry token, and the SDK repeats any call after a connection error: this call
  // gets no SDK retries, update() retries it itself and looks at the vault after a lost answer.
  const noRetry = ociRetryConfiguration({
    policy: { ...policy, maxAttempts: 1 },
    deadline: opts.deadline,
    signal: opts.signal,
  });
  // Creates in this run share a run key: a create the SDK repeats gets the first one's answer.
  const runKey = randomUUID();

  let listing: Promise<Map<string, Summary[]>> | undefined;
  const listAll = async (): Promise<Map<string, Summary[]>> => {
    const byName = new Map<string, Summary[]>();
    let page: string | undefined;
    do {
      const res = await vaults.listSecrets({
        compartmentId: opts.compartmentId,
        vaultId: opts.vaultId,
        page,
        limit: 100,
      });
      for (const s of res.items) {
        if (s.lifecycleState === 'DELETED') continue;
        const list = byName.get(s.secretName) ?? [];
        list.push({
          id: s.id,
          secretName: s.secretName,
          lifecycleState: String(s.lifecycleState),
          timeOfDeletion: s.timeOfDeletion,
          freeformTags: s.freeformTags,
        });
        byName.set(s.secretName, list);
      }
      page = res.opcNextPage;
    } while (page);
    return byName;
  };

  const currentContent = async (id: string): Promise<{ content: string; version?: number }> => {
    const res = await bundles.getSecretBundle({
      secretId: id,
      stage: secretsSdk.requests.GetSecretBundleRequest.Stage.Current,
    });
    const content = res.secretBundle.secretBundleContent as { contentType?: string; content?: string } | undefined;
    return { content: content?.content ?? '', version: res.secretBundle.versionNumber };
  };

  /** The current content once a pending update has settled (a secret stays UPDATING for a moment). */
  const settledContent = async (id: string): Promise<{ content: string; version?: number }> => {
    for (;;) {
      const { secret } = await vaults.getSecret({ secretId: id });
      if (String(secret.lifecycleState) !== 'UPDATING') return currentContent(id);
      await sleep(opts.pollMs ?? 2000, opts.signal);
    }
  };

  const stateOf = async (s: Summary): Promise<SinkState> => {
    if (USABLE.includes(s.lifecycleState)) {
      // Only secrets we created carry metadata we keep in step: only those cost a GetSecret.
      const owner = s.freeformTags?.['synced-by']
        ? (s.freeformTags['source-secret'] ?? s.freeformTags['synced-from'])
        : undefined;
      const meta = owner ? metaOf((await vaults.getSecret({ secretId: s.id })).secret) : metaOf(s);
      return { kind: 'present', id: s.id, ...(await currentContent(s.id)), meta, owner };
    }
    if (s.lifecycleState === 'PENDING_DELETION') {
      const when = s.timeOfDeletion ? new Date(s.timeOfDeletion).toISOString() : undefined;
      return { kind: 'pendingDeletion', id: s.id, timeOfDeletion: when };
    }
    return { kind: 'unavailable', id: s.id, state: s.lifecycleState };
  };

  return {
    description: `OCI vault ${opts.vaultId}`,
    async inspect(name) {
      try {
        listing ??= listAll();
        const found = (await listing).get(name) ?? [];
        const pick = found.find((s) => USABLE.includes(s.lifecycleState)) ?? found[0];
        return pick ? await stateOf(pick) : { kind: 'missing' };
      } catch (err) {
        listing = undefined;
        throw ociError(err, `Reading the OCI secret '${name}' failed`);
      }
    },
    async owned(vaultName) {
      try {
        listing ??= listAll();
        return [...(await listing).values()].flat().flatMap((s) => {
          const source = ownerOf(s.freeformTags, vaultName);
          return source === undefined
            ? []
            : [
                {
                  id: s.id,
                  name: s.secretName,
                  source,
                  lifecycleState: s.lifecycleState,
                  disabled: s.freeformTags?.[DISABLED_TAG] === 'disabled',
                },
              ];
        });
      } catch (err) {
        listing = undefined;
        throw ociError(err, 'Listing the OCI secrets of the vault failed');
      }
    },
    async readMeta(id) {
      try {
        return metaOf((await vaults.getSecret({ secretId: id })).secret);
      } catch (err) {
        throw ociError(err, `Reading the OCI secret ${id} failed`);
      }
    },
    async updateMeta(id, meta) {
      try {
        await vaults.updateSecret({ secretId: id, updateSecretDetails: metaDetails(meta) });
      } catch (err) {
        throw ociError(err, `Updating the tags and rules of the OCI secret ${id} failed`);
      }
    },
    async scheduleDeletion(id) {
      try {
        // No timeOfDeletion: OCI's default (30 days), the longest window to cancel in.
        await vaults.scheduleSecretDeletion({ secretId: id, scheduleSecretDeletionDetails: {} });
        const { secret } = await vaults.getSecret({ secretId: id });
        return { timeOfDeletion: secret.timeOfDeletion ? new Date(secret.timeOfDeletion).toISOString() : undefined };
      } catch (err) {
        throw ociError(err, `Scheduling the deletion of the OCI secret ${id} failed`);
      }
    },
    async create(name, content, origin, meta) {
      try {
        const res = await vaults.createSecret({
          createSecretDetails: {
            compartmentId: opts.compartmentId,
            vaultId: opts.vaultId,
            keyId: opts.keyId,
            secretName: name,
            description: `Synced from ${origin} by the KeyVaultToOci pipeline task`,
            secretContent: { contentType: 'BASE64', content },
            ...metaDetails(meta),
          },
          // One token per secret and run: SDK retries of a create that did land return the same secret.
          opcRetryToken: ociRetryToken([runKey, opts.vaultId, name]),
        });
        return { id: res.secret.id, version: res.secret.currentVersionNumber ?? 1 };
      } catch (err) {
        throw ociError(err, `Creating the OCI secret '${name}' failed`);
      }
    },
    async update(id, content) {
      let lost = false;
      return retrying(
        async () => {
          if (lost) {
            // The vault may have applied the last attempt: look before sending the new version again.
            const applied = await settledContent(id).catch(() => undefined);
            if (applied?.content === content) return { version: applied.version };
          }
          const res = await vaults.updateSecret({
            secretId: id,
            updateSecretDetails: { secretContent: { contentType: 'BASE64', content, stage: 'CURRENT' } as never },
            retryConfiguration: noRetry,
          });
          return { version: res.secret.currentVersionNumber };
        },
        {
          what: `UpdateSecret ${id}`,
          // Safe to repeat: after a lost answer the next attempt reads the vault first.
          idempotent: true,
          errorOutcome: (err) => {
            const a = ociAnswer(err);
            lost = a.status === undefined;
            if (lost) return { errorCode: 'ECONNRESET' };
            // 409: the secret is still UPDATING from another change, a "not now" like 503.
            if (a.status === 409) return { status: 503 };
            return { status: a.status! };
          },
          giveUp: (err) => ociError(err, `Writing a new version of the OCI secret ${id} failed`),
        },
        { signal: opts.signal, deadline: opts.deadline, policy },
      );
    },
    async restore(id) {
      try {
        try {
          await vaults.cancelSecretDeletion({ secretId: id, retryConfiguration: cancelRetry });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 409) throw err;
        }
        for (;;) {
          const { secret } = await vaults.getSecret({ secretId: id });
          const summary: Summary = {
            id,
            secretName: secret.secretName,
            lifecycleState: String(secret.lifecycleState),
            timeOfDeletion: secret.timeOfDeletion,
          };
          if (summary.lifecycleState !== 'CANCELLING_DELETION') return await stateOf(summary);
          await sleep(opts.pollMs ?? 2000, opts.signal);
        }
      } catch (err) {
        throw ociError(err, `Cancelling the deletion of the OCI secret ${id} failed`);
      }
    },
  };
}

const FIXES: OciFixes = {
  byStatus: {
    401: "Check the OCI connection's tenancy, user, fingerprint and private key (the API key must be uploaded for that user).",
    404: "Check vaultId, keyId and compartmentId, and that the user's group has 'manage secret-family' in the compartment.",
    409: 'A secret with this name may exist in another compartment of the vault, or be in a state that blocks the change.',
    429: 'OCI kept throttling until the timeout: raise timeoutMinutes or sync fewer secrets per run.',
  },
};

/** OCI errors with the fix a user needs; the service's message and request id, never a request body. */
export function ociError(err: unknown, what: string): Error {
  return ociFailure(err, what, FIXES);
}
