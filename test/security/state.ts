import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { JsonObject } from '../../devkit/emulators/kube/patch';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { OciVaultEmulator } from '../../devkit/emulators/oci-vault';
import { RegistryProbe } from '../../devkit/registry/world';
import { seededRandom } from '../../devkit/support/seeded-random';

/**
 * Snapshots of what each task changes, read from the emulators/registries (never from the task's own
 * report), normalised so two worlds can be compared: server-made ids and times are left out, names kept.
 */
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

export function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'string') return v.replace(ISO_TIME, '<time>');
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
    return v;
  });
}

/**
 * The state a transitional OCI lifecycle state ends in. The vault emulator settles CREATING/UPDATING only at its
 * next request, so a snapshot taken right after a run may still show them: compare where they lead.
 */
const SETTLED: Record<string, string> = {
  CREATING: 'ACTIVE',
  UPDATING: 'ACTIVE',
  CANCELLING_DELETION: 'ACTIVE',
  SCHEDULING_DELETION: 'PENDING_DELETION',
};

/** OCI Vault: every secret by name with its (settled) state and its versions (number, content, stages). */
export function vaultState(oci: OciVaultEmulator): unknown {
  return oci.secrets
    .map((s) => ({
      name: s.secretName,
      state: SETTLED[s.lifecycleState] ?? s.lifecycleState,
      tags: s.freeformTags,
      description: s.description,
      versions: s.versions.map((v) => ({ n: v.versionNumber, content: v.content, stages: [...v.stages].sort() })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const vaultWrites = (oci: OciVaultEmulator): number =>
  oci.requests.filter((r) =>
    ['CreateSecret', 'UpdateSecret', 'ScheduleSecretDeletion', 'CancelSecretDeletion'].includes(r.op),
  ).length;

/** OCI Database: every Autonomous Database with what the task decides (not its OCID or creation time). */
export function adbState(oci: OciDatabaseEmulator): unknown {
  return [...oci.store.databases.values()]
    .map(
      ({
        displayName,
        dbName,
        lifecycleState,
        dbWorkload,
        computeModel,
        computeCount,
        dataStorageSizeInTBs,
        isFreeTier,
        whitelistedIps,
        isMtlsConnectionRequired,
        compartmentId,
      }) => ({
        displayName,
        dbName,
        lifecycleState,
        dbWorkload,
        computeModel,
        computeCount,
        dataStorageSizeInTBs,
        isFreeTier,
        whitelistedIps,
        isMtlsConnectionRequired,
        compartmentId,
      }),
    )
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export const adbWrites = (oci: OciDatabaseEmulator): number =>
  oci.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD').length;

/** Kubernetes: every object of every type (names, labels, annotations, spec), without server-set metadata or status. */
export function kubeState(kube: KubeApiServer): unknown {
  return kube.store.types
    .flatMap((t) =>
      kube.store.list(t).map((e) => {
        const meta = e.obj.metadata as JsonObject;
        return {
          kind: `${t.group}/${t.kind}`,
          namespace: meta.namespace,
          name: meta.name,
          labels: meta.labels,
          annotations: meta.annotations,
          spec: e.obj.spec,
          data: e.obj.data,
        };
      }),
    )
    .sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`));
}

export const kubeWrites = (kube: KubeApiServer): number => kube.writes().length;

/** A registry repository: each tag → manifest digest, and whether every blob of the tagged manifest is present. */
export async function repositoryState(probe: RegistryProbe, repository: string): Promise<unknown> {
  const tags = probe.tags(repository);
  const out: Record<string, unknown> = {};
  for (const tag of tags) {
    const digest = await probe.manifestDigest(repository, tag);
    const manifest = (await probe.manifest(repository, tag)) as {
      layers?: { digest: string }[];
      config?: { digest: string };
    };
    const blobs = [...(manifest.layers ?? []), ...(manifest.config ? [manifest.config] : [])].map((b) => b.digest);
    const present = await Promise.all(blobs.map((d) => probe.hasBlob(repository, d)));
    out[tag] = { digest, blobs: blobs.length, missing: present.filter((p) => !p).length };
  }
  return out;
}

/** Differences between two snapshots, by top-level entry: the figure the suite reports. */
export function stateDiffs(a: unknown, b: unknown): string[] {
  const items = (x: unknown): Record<string, string> =>
    Object.fromEntries(Object.entries((x ?? {}) as Record<string, unknown>).map(([k, v]) => [k, stable(v)]));
  const ia = items(a);
  const ib = items(b);
  return [...new Set([...Object.keys(ia), ...Object.keys(ib)])]
    .filter((k) => ia[k] !== ib[k])
    .map((k) => `${k}: ${ia[k] ?? '(absent)'} ≠ ${ib[k] ?? '(absent)'}`);
}

/** Seeded, so a failing kill point can be replayed with MCDSO_SEED. */
export const seeded = seededRandom;

export const SEED = Number(process.env.MCDSO_SEED ?? 0x5eed);

export const rerunFigures = { runs: 0, kills: 0, killsLanded: 0, killsLeftPartial: 0, stateDiffs: 0, writesOnRerun: 0 };
