import * as assert from 'node:assert/strict';
import { ConnectionProfile } from '../../tasks/OracleDbProvision/model';
import {
  adbBackupCr,
  adbCr,
  passwordSecret,
  resourceName,
  stateFromCr,
} from '../../tasks/OracleDbProvision/operator/cr';
import { chooseConnectionString } from '../../tasks/OracleDbProvision/tns';

const p = (
  displayName: string,
  tls: 'MUTUAL' | 'SERVER',
  extra: Partial<ConnectionProfile> = {},
): ConnectionProfile => ({
  displayName,
  value: `(description=${displayName}/${tls})`,
  tlsAuthentication: tls,
  ...extra,
});

describe('OracleDbProvision connection string selection', () => {
  const all = [
    p('db_high', 'MUTUAL'),
    p('db_low', 'MUTUAL'),
    p('db_tp', 'MUTUAL'),
    p('db_high', 'SERVER'),
    p('db_tp', 'SERVER'),
  ];
  const cases: {
    name: string;
    profiles: ConnectionProfile[];
    workload: 'OLTP' | 'DW';
    mtls: boolean;
    group?: string;
    want?: string;
  }[] = [
    {
      name: 'OLTP with mTLS → tp over mutual TLS',
      profiles: all,
      workload: 'OLTP',
      mtls: true,
      want: '(description=db_tp/MUTUAL)',
    },
    {
      name: 'OLTP without mTLS → walletless tp',
      profiles: all,
      workload: 'OLTP',
      mtls: false,
      want: '(description=db_tp/SERVER)',
    },
    { name: 'DW → high', profiles: all, workload: 'DW', mtls: true, want: '(description=db_high/MUTUAL)' },
    {
      name: 'unknown groups → the first',
      profiles: [p('x_a', 'MUTUAL'), p('x_b', 'MUTUAL')],
      workload: 'DW',
      mtls: true,
      want: '(description=x_a/MUTUAL)',
    },
    {
      name: 'long syntax preferred over EZConnect',
      profiles: [
        p('db_high', 'MUTUAL', { syntaxFormat: 'EZCONNECT', value: 'ez' }),
        p('db_high', 'MUTUAL', { syntaxFormat: 'LONG', value: 'long' }),
      ],
      workload: 'DW',
      mtls: true,
      want: 'long',
    },
    { name: 'no profiles → none', profiles: [], workload: 'OLTP', mtls: true },
    {
      name: 'explicit low on OLTP',
      profiles: all,
      workload: 'OLTP',
      mtls: true,
      group: 'low',
      want: '(description=db_low/MUTUAL)',
    },
    {
      name: 'explicit tp missing on DW → best remaining',
      profiles: [p('db_high', 'MUTUAL'), p('db_low', 'MUTUAL')],
      workload: 'DW',
      mtls: true,
      group: 'tp',
      want: '(description=db_high/MUTUAL)',
    },
  ];
  for (const c of cases)
    it(c.name, () => assert.equal(chooseConnectionString(c.profiles, c.workload, c.mtls, c.group)?.value, c.want));
});

describe('OracleDbProvision operator resources', () => {
  const desired = {
    compartmentId: 'ocid1.compartment.oc1..aaaa',
    displayName: 'Shop DB (prod)',
    dbName: 'SHOP',
    dbWorkload: 'OLTP' as const,
    computeModel: 'ECPU' as const,
    computeCount: 4,
    dataStorageSizeInTBs: 2,
    isFreeTier: false,
    whitelistedIps: ['203.0.113.7'],
    isMtlsConnectionRequired: false,
  };

  it('names resources after the display name, DNS-1123 safe', () => {
    assert.equal(resourceName('Shop DB (prod)'), 'shop-db-prod');
    assert.equal(resourceName('---'), 'adb');
  });

  it('generates a database.oracle.com/v4 AutonomousDatabase with the password in a Kubernetes Secret', () => {
    const cr = adbCr({
      name: 'shop',
      namespace: 'db',
      action: 'Create',
      desired,
      fields: 'all',
      adminPassword: { k8sSecret: 'shop-admin-password' },
    });
    assert.deepEqual(cr, {
      apiVersion: 'database.oracle.com/v4',
      kind: 'AutonomousDatabase',
      metadata: { name: 'shop', namespace: 'db', labels: { 'app.kubernetes.io/managed-by': 'multicloud-devsecops' } },
      spec: {
        action: 'Create',
        details: {
          compartmentId: desired.compartmentId,
          displayName: 'Shop DB (prod)',
          dbName: 'SHOP',
          dbWorkload: 'OLTP',
          isFreeTier: false,
          whitelistedIps: ['203.0.113.7'],
          isMtlsConnectionRequired: false,
          computeModel: 'ECPU',
          computeCount: 4,
          dataStorageSizeInTBs: 2,
          adminPassword: { k8sSecret: { name: 'shop-admin-password' } },
        },
      },
    });
  });

  it('owns only the fields of the action (scale: compute; start: none) and passes OCI vault secrets through', () => {
    const scale = adbCr({ name: 's', namespace: 'n', action: 'Update', desired, fields: 'compute' }) as {
      spec: { details: Record<string, unknown> };
    };
    assert.deepEqual(Object.keys(scale.spec.details).sort(), [
      'compartmentId',
      'computeCount',
      'computeModel',
      'dataStorageSizeInTBs',
      'displayName',
    ]);
    const start = adbCr({
      name: 's',
      namespace: 'n',
      action: 'Start',
      desired,
      fields: 'none',
      adminPassword: { ociSecretId: 'ocid1.vaultsecret.oc1..x' },
    }) as { spec: { action: string; details: Record<string, unknown> } };
    assert.equal(start.spec.action, 'Start');
    assert.deepEqual(start.spec.details.adminPassword, { ociSecret: { id: 'ocid1.vaultsecret.oc1..x' } });
    const wallet = adbCr({
      name: 's',
      namespace: 'n',
      action: 'Update',
      desired,
      fields: 'none',
      wallet: { secretName: 's-wallet', passwordSecret: 's-wallet-password' },
    }) as { spec: Record<string, unknown> };
    assert.deepEqual(wallet.spec.wallet, { name: 's-wallet', password: { k8sSecret: { name: 's-wallet-password' } } });
  });

  it('generates the backup CR and the password Secret', () => {
    assert.deepEqual((adbBackupCr('b1', 'n', 'shop', 'nightly') as { spec: unknown }).spec, {
      target: { k8sAdb: { name: 'shop' } },
      displayName: 'nightly',
    });
    assert.deepEqual((passwordSecret('pw', 'n', 'Sup3rSecretPw') as { data: unknown }).data, {
      pw: Buffer.from('Sup3rSecretPw').toString('base64'),
    });
  });

  it('reads state and connection strings back from the operator status', () => {
    const state = stateFromCr({
      spec: {
        details: {
          id: 'ocid1.autonomousdatabase.oc1..x',
          displayName: 'd',
          computeCount: 2,
          isFreeTier: false,
          whitelistedIps: ['1.2.3.4'],
          isMtlsConnectionRequired: true,
        },
      },
      status: {
        lifecycleState: 'AVAILABLE',
        allConnectionStrings: [
          {
            tlsAuthentication: 'Mutual TLS',
            connectionStrings: [{ tnsName: 'd_high', connectionString: '(description=h)' }],
          },
          { tlsAuthentication: 'TLS', connectionStrings: [{ tnsName: 'd_tp', connectionString: '(description=t)' }] },
        ],
      },
    });
    assert.equal(state.lifecycleState, 'AVAILABLE');
    assert.deepEqual(
      state.connectionProfiles.map((c) => [c.displayName, c.tlsAuthentication]),
      [
        ['d_high', 'MUTUAL'],
        ['d_tp', 'SERVER'],
      ],
    );
  });
});
