import * as assert from 'node:assert/strict';
import { DbState, DesiredDb } from '../../tasks/OracleDbProvision/model';
import { DbAction } from '../../tasks/OracleDbProvision/options';
import { Step, planAction } from '../../tasks/OracleDbProvision/plan';

const desired: DesiredDb = {
  compartmentId: 'ocid1.compartment.oc1..aaaa',
  displayName: 'shop-db',
  dbName: 'SHOPDB',
  dbWorkload: 'OLTP',
  computeModel: 'ECPU',
  computeCount: 2,
  dataStorageSizeInTBs: 1,
  isFreeTier: false,
  whitelistedIps: [],
  isMtlsConnectionRequired: true,
};

const db = (over: Partial<DbState> = {}): DbState => ({
  id: 'ocid1.autonomousdatabase.oc1.eu-frankfurt-1.x',
  displayName: 'shop-db',
  lifecycleState: 'AVAILABLE',
  dbName: 'SHOPDB',
  dbWorkload: 'OLTP',
  computeModel: 'ECPU',
  computeCount: 2,
  dataStorageSizeInTBs: 1,
  isFreeTier: false,
  whitelistedIps: [],
  isMtlsConnectionRequired: true,
  connectionProfiles: [],
  ...over,
});

const kinds = (steps: Step[]): string[] =>
  steps.map((s) => (s.kind === 'update' ? `update:${s.group.changes.map((c) => c.field).join('+')}` : s.kind));

describe('OracleDbProvision planner', () => {
  const cases: {
    name: string;
    action: DbAction;
    current?: DbState;
    want?: string[];
    error?: RegExp;
    over?: Partial<DesiredDb>;
    noPassword?: boolean;
  }[] = [
    { name: 'ensure creates a missing database', action: 'ensure', want: ['create'] },
    {
      name: 'ensure treats TERMINATED as missing',
      action: 'ensure',
      current: db({ lifecycleState: 'TERMINATED' }),
      want: ['create'],
    },
    { name: 'ensure without password cannot create', action: 'ensure', noPassword: true, error: /no ADMIN password/ },
    {
      name: 'ensure without dbName cannot create',
      action: 'ensure',
      over: { dbName: undefined },
      error: /'dbName' is empty/,
    },
    { name: 'ensure on a matching database does nothing', action: 'ensure', current: db(), want: [] },
    {
      name: 'ensure waits for a transition first',
      action: 'ensure',
      current: db({ lifecycleState: 'PROVISIONING' }),
      want: ['waitSettled'],
    },
    {
      name: 'ensure scales compute and storage in one update',
      action: 'ensure',
      current: db({ computeCount: 4, dataStorageSizeInTBs: 2 }),
      want: ['update:computeCount+dataStorageSizeInTBs'],
    },
    {
      name: 'ensure splits fields OCI refuses to update together',
      action: 'ensure',
      current: db({ computeCount: 4, dbWorkload: 'DW', whitelistedIps: ['10.0.0.1'] }),
      want: ['update:dbWorkload', 'update:computeCount', 'update:whitelistedIps'],
    },
    {
      name: 'ensure sets the ACL before switching mTLS off',
      action: 'ensure',
      over: { isMtlsConnectionRequired: false, whitelistedIps: ['203.0.113.7'] },
      current: db(),
      want: ['update:whitelistedIps', 'update:isMtlsConnectionRequired'],
    },
    {
      name: 'ensure switches mTLS on before clearing the ACL',
      action: 'ensure',
      current: db({ isMtlsConnectionRequired: false, whitelistedIps: ['203.0.113.7'] }),
      want: ['update:isMtlsConnectionRequired', 'update:whitelistedIps'],
    },
    {
      name: 'ensure ignores ACL order',
      action: 'ensure',
      over: { whitelistedIps: ['10.0.0.2', '10.0.0.1'] },
      current: db({ whitelistedIps: ['10.0.0.1', '10.0.0.2'] }),
      want: [],
    },
    {
      name: 'ensure upgrades Always Free first',
      action: 'ensure',
      current: db({ isFreeTier: true, computeCount: 2, dataStorageSizeInTBs: 1, dbWorkload: 'DW' }),
      want: ['update:isFreeTier', 'update:dbWorkload'],
    },
    {
      name: 'ensure refuses paid → Always Free',
      action: 'ensure',
      over: { isFreeTier: true },
      current: db(),
      error: /cannot convert it to Always Free/,
    },
    {
      name: 'ensure does not compare compute of Always Free',
      action: 'ensure',
      over: { isFreeTier: true, computeCount: 8 },
      current: db({ isFreeTier: true }),
      want: [],
    },
    {
      name: 'ensure refuses updates of a stopped database',
      action: 'ensure',
      current: db({ lifecycleState: 'STOPPED', computeCount: 4 }),
      error: /STOPPED.*'start' action/s,
    },
    {
      name: 'ensure reports UNAVAILABLE',
      action: 'ensure',
      current: db({ lifecycleState: 'UNAVAILABLE' }),
      error: /is UNAVAILABLE/,
    },
    {
      name: 'ensure renames dbName',
      action: 'ensure',
      over: { dbName: 'ORDERS' },
      current: db(),
      want: ['update:dbName'],
    },
    {
      name: 'scale changes compute only',
      action: 'scale',
      over: { computeCount: 8, dbWorkload: 'DW' },
      current: db(),
      want: ['update:computeCount'],
    },
    { name: 'scale at target does nothing', action: 'scale', current: db(), want: [] },
    { name: 'scale of a missing database fails', action: 'scale', error: /nothing to scale/ },
    { name: 'scale of Always Free fails', action: 'scale', current: db({ isFreeTier: true }), error: /Always Free/ },
    { name: 'start of STOPPED starts', action: 'start', current: db({ lifecycleState: 'STOPPED' }), want: ['start'] },
    { name: 'start of AVAILABLE does nothing', action: 'start', current: db(), want: [] },
    { name: 'stop of AVAILABLE stops', action: 'stop', current: db(), want: ['stop'] },
    { name: 'stop of STOPPED does nothing', action: 'stop', current: db({ lifecycleState: 'STOPPED' }), want: [] },
    {
      name: 'stop waits for STARTING',
      action: 'stop',
      current: db({ lifecycleState: 'STARTING' }),
      want: ['waitSettled'],
    },
    { name: 'backup of AVAILABLE backs up', action: 'backup', current: db(), want: ['backup'] },
    {
      name: 'backup of STOPPED fails',
      action: 'backup',
      current: db({ lifecycleState: 'STOPPED' }),
      error: /needs AVAILABLE/,
    },
    {
      name: 'backup of Always Free fails',
      action: 'backup',
      current: db({ isFreeTier: true }),
      error: /no manual backups/,
    },
    { name: 'wallet of AVAILABLE', action: 'wallet', current: db(), want: ['wallet'] },
    { name: 'wallet of a missing database fails', action: 'wallet', error: /nothing to download/ },
    {
      name: 'delete of an existing database',
      action: 'delete',
      current: db({ lifecycleState: 'STOPPED' }),
      want: ['delete'],
    },
    {
      name: 'delete of UNAVAILABLE still deletes',
      action: 'delete',
      current: db({ lifecycleState: 'UNAVAILABLE' }),
      want: ['delete'],
    },
    { name: 'delete of a missing database does nothing', action: 'delete', want: [] },
    {
      name: 'delete waits for TERMINATING',
      action: 'delete',
      current: db({ lifecycleState: 'TERMINATING' }),
      want: ['waitSettled'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = (): Step[] =>
        planAction({
          action: c.action,
          desired: { ...desired, ...c.over },
          current: c.current,
          hasAdminPassword: !c.noPassword,
        });
      if (c.error) assert.throws(run, c.error);
      else assert.deepEqual(kinds(run()), c.want);
    });
  }

  it('sends an empty-string ACL to clear whitelistedIps, as OCI requires', () => {
    const [step] = planAction({
      action: 'ensure',
      desired,
      current: db({ whitelistedIps: ['10.0.0.1'] }),
      hasAdminPassword: true,
    });
    assert.equal(step.kind, 'update');
    assert.deepEqual(step.kind === 'update' && step.group.details, { whitelistedIps: [''] });
  });

  it('creates Always Free without sizes and with the computeModel OCI requires for counts', () => {
    const [free] = planAction({ action: 'ensure', desired: { ...desired, isFreeTier: true }, hasAdminPassword: true });
    assert.ok(
      free.kind === 'create' && free.spec.computeCount === undefined && free.spec.dataStorageSizeInTBs === undefined,
    );
    const [scale] = planAction({
      action: 'scale',
      desired: { ...desired, computeCount: 6 },
      current: db(),
      hasAdminPassword: false,
    });
    assert.deepEqual(scale.kind === 'update' && scale.group.details, { computeModel: 'ECPU', computeCount: 6 });
  });
});
