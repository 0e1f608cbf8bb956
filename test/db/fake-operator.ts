/**
 * A scripted Oracle Database Operator for the kube-apiserver emulator: reacts to the task's writes
 * of AutonomousDatabase / AutonomousDatabaseBackup resources the way the operator does (writes
 * spec.details.id and status.lifecycleState through transitional states, connection strings in
 * status.allConnectionStrings), after short delays.
 */
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { zip } from '../../devkit/emulators/oci-database/wallet';

const V4 = 'database.oracle.com/v4';
type Obj = Record<string, any>;

export interface FakeOperatorOptions {
  delayMs?: number;
  /** Final state for the next Create (e.g. UNAVAILABLE to script a failure). */
  createOutcome?: string;
}

export function startFakeOperator(
  kube: KubeApiServer,
  opts: FakeOperatorOptions = {},
): { actions: string[]; stop: () => void } {
  const delay = opts.delayMs ?? 120;
  let createOutcome = opts.createOutcome;
  const actions: string[] = [];
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
    if (e.resource.kind !== 'AutonomousDatabase') return;
    const action = obj.spec?.action as string;
    actions.push(action);
    const wallet = obj.spec?.wallet;
    if (wallet?.name && !kube.get('v1', 'Secret', namespace, wallet.name)) {
      // The operator reads the wallet password from its Secret and stores one key per wallet file.
      later(delay / 2, () => {
        const pw = kube.get('v1', 'Secret', namespace, wallet.password?.k8sSecret?.name ?? '');
        if (!pw) return;
        const files = {
          'tnsnames.ora':
            'shopdb_high = (description=(address=(protocol=tcps)(port=1522)(host=adb.eu-frankfurt-1.oraclecloud.com)))\n',
          'sqlnet.ora': 'SSL_SERVER_DN_MATCH=yes\n',
          'cwallet.sso': '\u0000\u0001binary',
        };
        // validateWallet stores each extracted file and the downloaded zip under Wallet_<dbName>.zip.
        const dbName = String(obj.spec?.details?.dbName ?? 'db');
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
    const dbName = String(details.dbName ?? 'db').toLowerCase();
    const strings = [
      {
        tlsAuthentication: 'Mutual TLS',
        connectionStrings: ['high', 'low', 'tp'].map((g) => ({
          tnsName: `${dbName}_${g}`,
          connectionString: `(description=(address=(protocol=tcps)(port=1522)(host=adb.eu-frankfurt-1.oraclecloud.com))(connect_data=(service_name=x_${dbName}_${g}.adb.oraclecloud.com)))`,
        })),
      },
    ];
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
    stop: () => {
      off();
      for (const t of timers) clearTimeout(t);
    },
  };
}
