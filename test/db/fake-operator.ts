/**
 * A scripted Oracle Database Operator for the kube-apiserver emulator: reacts to the task's writes
 * of AutonomousDatabase / AutonomousDatabaseBackup resources the way the operator does (writes
 * spec.details.id and status.lifecycleState through transitional states, connection strings in
 * status.allConnectionStrings), after short delays.
 */
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { connectionProfiles, walletFiles, zip } from '../../devkit/emulators/oci-database/wallet';

const V4 = 'database.oracle.com/v4';
type Obj = Record<string, any>;

export interface FakeOperatorOptions {
  delayMs?: number;
  /** Final state for the next Create (e.g. UNAVAILABLE to script a failure). */
  createOutcome?: string;
  /** Databases that exist in "OCI", by OCID: what spec.action Sync (bind) reads into spec.details. */
  ociDatabases?: Record<string, Obj>;
}

export interface FakeOperator {
  actions: string[];
  /** For each Update: the spec.details fields that differ from the previous generation (what the operator sends). */
  updates: string[][];
  /** For each Clone: the source OCID and spec.clone as written. */
  clones: { sourceId: string; clone: Obj }[];
  /** Each AutonomousDatabaseRestore processed: target name and point in time. */
  restores: { target: string; timestamp: string }[];
  stop: () => void;
}

export function startFakeOperator(kube: KubeApiServer, opts: FakeOperatorOptions = {}): FakeOperator {
  const delay = opts.delayMs ?? 120;
  let createOutcome = opts.createOutcome;
  const actions: string[] = [];
  const updates: string[][] = [];
  const clones: FakeOperator['clones'] = [];
  const restores: FakeOperator['restores'] = [];
  const lastDetails = new Map<string, Obj>();
  kube.register({
    group: 'database.oracle.com',
    versions: ['v4'],
    kind: 'AutonomousDatabaseRestore',
    plural: 'autonomousdatabaserestores',
    namespaced: true,
    status: true,
  });
  kube.register({
    group: 'database.oracle.com',
    versions: ['v4'],
    kind: 'AutonomousDatabaseBackup',
    plural: 'autonomousdatabasebackups',
    namespaced: true,
    status: true,
  });
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const lastGen = new Map<string, number>();
  const off = kube.onChange((e) => {
    if (e.source !== 'api' || e.type === 'DELETED') return;
    const obj: Obj = e.object;
    const { name, namespace, generation } = obj.metadata;
    const key = `${e.resource.kind}/${namespace}/${name}`;
    if (lastGen.get(key) === generation) return; // status or metadata only
    lastGen.set(key, generation);
    if (e.resource.kind === 'AutonomousDatabaseBackup') {
      later(delay / 2, () =>
        kube.setStatus(V4, 'AutonomousDatabaseBackup', namespace, name, {
          lifecycleState: 'CREATING',
          type: 'FULL',
          isAutomatic: false,
        }),
      );
      later(delay, () =>
        kube.setStatus(V4, 'AutonomousDatabaseBackup', namespace, name, {
          lifecycleState: 'ACTIVE',
          type: 'FULL',
          isAutomatic: false,
        }),
      );
      return;
    }
    if (e.resource.kind === 'AutonomousDatabaseRestore') {
      // RestoreAutonomousDatabase on the target: the database restores in place, the restore reports its work request.
      const target = String(obj.spec?.target?.k8sAdb?.name ?? '');
      restores.push({ target, timestamp: String(obj.spec?.source?.pointInTime?.timestamp ?? '') });
      later(5, () => {
        kube.setStatus(V4, 'AutonomousDatabaseRestore', namespace, name, { status: 'IN_PROGRESS' });
        kube.setStatus(V4, 'AutonomousDatabase', namespace, target, { lifecycleState: 'RESTORE_IN_PROGRESS' });
      });
      later(delay, () => {
        kube.setStatus(V4, 'AutonomousDatabaseRestore', namespace, name, { status: 'SUCCEEDED' });
        const cur: Obj | undefined = kube.get(V4, 'AutonomousDatabase', namespace, target);
        kube.setStatus(V4, 'AutonomousDatabase', namespace, target, { ...cur?.status, lifecycleState: 'AVAILABLE' });
      });
      return;
    }
    if (e.resource.kind !== 'AutonomousDatabase') return;
    const action = obj.spec?.action as string;
    actions.push(action);
    const detailsNow: Obj = obj.spec?.details ?? {};
    const previous = lastDetails.get(key);
    lastDetails.set(key, detailsNow);
    if (action === 'Update' && previous && !obj.spec?.wallet)
      updates.push(
        // Not compared with OCI's view: the OCID (the key) and the password (only sent when set anew).
        Object.keys({ ...previous, ...detailsNow }).filter(
          (k) => !['id', 'adminPassword'].includes(k) && goValue(previous[k]) !== goValue(detailsNow[k]),
        ),
      );
    if (action === 'Sync') {
      const found = opts.ociDatabases?.[String(detailsNow.id)];
      later(delay / 2, () => {
        const cur: Obj | undefined = kube.get(V4, 'AutonomousDatabase', namespace, name);
        if (!cur || !found) return;
        cur.spec.details = { ...found, id: detailsNow.id };
        cur.spec.action = '';
        kube.seed(cur);
        lastDetails.set(key, cur.spec.details);
        kube.setStatus(V4, 'AutonomousDatabase', namespace, name, {
          lifecycleState: 'AVAILABLE',
          allConnectionStrings: connectionStrings(String(found.dbName ?? 'db').toLowerCase()),
        });
      });
      return;
    }
    if (action === 'Clone') {
      const clone: Obj = obj.spec.clone;
      clones.push({ sourceId: String(detailsNow.id), clone });
      const cloneName = String(clone.displayName);
      later(delay / 2, () => {
        const { adminPassword: _pw, cloneType: _t, ...details } = clone;
        const id = `ocid1.autonomousdatabase.oc1.eu-frankfurt-1.clone${cloneName.replace(/-/g, '')}`;
        kube.seed({
          apiVersion: V4,
          kind: 'AutonomousDatabase',
          metadata: { name: cloneName, namespace },
          spec: { action: '', details: { ...details, id }, ociConfig: obj.spec.ociConfig },
        });
        lastDetails.set(`AutonomousDatabase/${namespace}/${cloneName}`, { ...details, id });
        kube.setStatus(V4, 'AutonomousDatabase', namespace, cloneName, { lifecycleState: 'PROVISIONING' });
      });
      later(delay, () =>
        kube.setStatus(V4, 'AutonomousDatabase', namespace, cloneName, {
          lifecycleState: 'AVAILABLE',
          allConnectionStrings: connectionStrings(String(clone.dbName ?? 'db').toLowerCase()),
        }),
      );
      return;
    }
    const wallet = obj.spec?.wallet;
    if (wallet?.name && !kube.get('v1', 'Secret', namespace, wallet.name)) {
      // The operator reads the wallet password from its Secret and stores one key per wallet file.
      later(delay / 2, () => {
        const pw = kube.get('v1', 'Secret', namespace, wallet.password?.k8sSecret?.name ?? '');
        if (!pw) return;
        // The same files, at the same sizes, as OCI's GenerateAutonomousDatabaseWallet (the emulator's).
        const dbName = String(obj.spec?.details?.dbName ?? 'db');
        const files = walletFiles(dbName, connectionProfiles(dbName, 'OLTP', 'eu-frankfurt-1', true, 'g1'));
        // validateWallet stores each extracted file and the downloaded zip under Wallet_<dbName>.zip.
        const data: Record<string, string> = Object.fromEntries(
          Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
        );
        data[`Wallet_${dbName}.zip`] = zip(files).toString('base64');
        kube.seed({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: wallet.name, namespace, labels: { app: obj.metadata.name } },
          type: 'Opaque',
          data,
        });
      });
      return;
    }
    const details = obj.spec?.details ?? {};
    const strings = connectionStrings(String(details.dbName ?? 'db').toLowerCase());
    const flow: Record<string, [string, string]> = {
      Create: ['PROVISIONING', createOutcome ?? 'AVAILABLE'],
      Update: ['UPDATING', 'AVAILABLE'],
      Start: ['STARTING', 'AVAILABLE'],
      Stop: ['STOPPING', 'STOPPED'],
      Terminate: ['TERMINATING', 'TERMINATED'],
    };
    const [during, after] = flow[action] ?? ['UPDATING', 'AVAILABLE'];
    if (action === 'Create') createOutcome = undefined;
    if (action === 'Create' && !details.id) {
      later(1, () => {
        const cur: Obj | undefined = kube.get(V4, 'AutonomousDatabase', namespace, name);
        if (!cur) return;
        cur.spec.details.id = `ocid1.autonomousdatabase.oc1.eu-frankfurt-1.${name.replace(/-/g, '')}`;
        kube.seed(cur);
      });
    }
    later(
      5,
      () =>
        kube.get(V4, 'AutonomousDatabase', namespace, name) &&
        kube.setStatus(V4, 'AutonomousDatabase', namespace, name, { lifecycleState: during }),
    );
    later(
      delay,
      () =>
        kube.get(V4, 'AutonomousDatabase', namespace, name) &&
        kube.setStatus(V4, 'AutonomousDatabase', namespace, name, {
          lifecycleState: after,
          allConnectionStrings: strings,
        }),
    );
  });
  return {
    actions,
    updates,
    clones,
    restores,
    stop: () => {
      off();
      for (const t of timers) clearTimeout(t);
    },
  };
}

function connectionStrings(dbName: string): Obj[] {
  return [
    {
      tlsAuthentication: 'Mutual TLS',
      connectionStrings: ['high', 'low', 'tp'].map((g) => ({
        tnsName: `${dbName}_${g}`,
        connectionString: `(description=(address=(protocol=tcps)(port=1522)(host=adb.eu-frankfurt-1.oraclecloud.com))(connect_data=(service_name=x_${dbName}_${g}.adb.oraclecloud.com)))`,
      })),
    },
  ];
}

/** Go's json omitempty: an empty list or map is the same as an absent field (nil) to the operator. */
function goValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v) && v.length === 0) return '';
  if (typeof v === 'object' && Object.keys(v).length === 0) return '';
  return JSON.stringify(v);
}
