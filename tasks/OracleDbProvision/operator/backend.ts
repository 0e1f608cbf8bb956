import { KubeObject } from '../../common/kube/types';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createKubeConfig } from '../../common/connections/kube-config';
import { TaskError } from '../../common/errors';
import { TaskContext } from '../../common/runner';
import { BackendDeps, BackendFactory, DbBackend, StepResult } from '../backend';
import { desiredFrom, note } from '../run-plan';
import { DbState, FAILED_STATES, TRANSITIONAL_STATES } from '../model';
import { OracleDbProvisionOptions } from '../options';
import { Step } from '../plan';
import { pollUntil } from '../wait';
import {
  AdbCrInput,
  OperatorAction,
  adbBackupCr,
  adbCr,
  ociConfigObjects,
  passwordSecret,
  resourceName,
  stateFromCr,
} from './cr';
import { Kube } from './kube';
import { stagedDesired } from './stage';
import { LifecycleContext, bindByOcid, cloneThroughOperator, restoreThroughOperator } from './lifecycle';
import { operatorWallet, walletFileNames, walletZipFromSecret, WalletRequest } from './wallet';
import type { PublishMaterial } from '../publish/publish';

type CrBuilder = (
  action: OperatorAction,
  fields: AdbCrInput['fields'],
  extra?: Partial<AdbCrInput>,
) => Record<string, unknown>;
type Obj = KubeObject & { spec?: { details?: Record<string, unknown> }; status?: Record<string, unknown> };
const ADB = 'AutonomousDatabase' as const;

/**
 * Operator mode: the task writes desired state (a Secret and an AutonomousDatabase custom
 * resource, by server-side apply) and the Oracle Database Operator in the cluster talks to OCI.
 * The task then waits for the operator to report the outcome in status.lifecycleState.
 */
class OperatorBackend implements DbBackend {
  readonly target: string;
  readonly hasAdminPassword: boolean;
  private readonly name: string;

  constructor(
    private readonly ctx: TaskContext,
    private readonly o: OracleDbProvisionOptions,
    private readonly kube: Kube,
    private readonly deps: BackendDeps,
  ) {
    this.name = resourceName(o.displayName);
    this.target = `Kubernetes ${o.namespace}/autonomousdatabase/${this.name}`;
    this.hasAdminPassword = Boolean(o.adminPassword || o.adminPasswordSecretId);
  }

  private async readCr(): Promise<Obj | undefined> {
    return this.kube.read<Obj>(ADB, this.name);
  }

  private toState(obj: Obj): DbState {
    const state = stateFromCr(obj);
    // A resource the operator has not reported on yet is still being worked on.
    return {
      ...state,
      displayName: state.displayName || this.o.displayName,
      lifecycleState: state.lifecycleState || 'PROVISIONING',
    };
  }

  async find(): Promise<DbState | undefined> {
    let obj = await this.readCr();
    const adopt = this.o.autonomousDatabaseId;
    if (adopt) {
      if (!obj) obj = await bindByOcid(await this.lifecycle(), adopt);
      const bound = obj.spec?.details?.id;
      if (typeof bound === 'string' && bound && bound !== adopt)
        throw new TaskError(
          `AutonomousDatabase ${this.o.namespace}/${this.name} is bound to ${bound}, not ${adopt} (autonomousDatabaseId).`,
          'Use another display name (the resource is named after it) or namespace, or check the OCID.',
        );
      return this.toState(obj);
    }
    const other = obj?.spec?.details?.displayName;
    // Resource names are derived from display names: never take over another database's resource.
    if (typeof other === 'string' && other !== this.o.displayName) {
      throw new TaskError(
        `AutonomousDatabase ${this.o.namespace}/${this.name} belongs to the database '${other}', not '${this.o.displayName}'.`,
        'Use a display name that differs in more than case and punctuation, or another namespace.',
      );
    }
    return obj ? this.toState(obj) : undefined;
  }

  private async lifecycle(): Promise<LifecycleContext> {
    return {
      kube: this.kube,
      host: this.ctx.host,
      namespace: this.o.namespace,
      name: this.name,
      ociConfig: await this.ensureOciConfig(),
      wait: this.waitContext(),
    };
  }

  async waitSettled(_current: DbState): Promise<StepResult> {
    return this.waitFor(undefined, (s) => !TRANSITIONAL_STATES.has(s));
  }

  async run(step: Exclude<Step, { kind: 'waitSettled' }>, current: DbState | undefined): Promise<StepResult> {
    const cr = this.crBuilder(await this.ensureOciConfig(), this.o.autonomousDatabaseId);
    switch (step.kind) {
      case 'create': {
        const adminPassword = await this.adminPasswordRef();
        if (step.clone) {
          const transitions = await cloneThroughOperator(
            await this.lifecycle(),
            step.clone,
            desiredFrom(this.o),
            adminPassword!,
          );
          const settled = await this.waitFor(undefined, (s) => s === 'AVAILABLE');
          return { ...settled, transitions: [...transitions, ...settled.transitions] };
        }
        return this.writeAndWait(cr('Create', 'all', { adminPassword }), (s) => s === 'AVAILABLE');
      }
      case 'update': {
        if (this.o.action === 'scale') return this.writeAndWait(cr('Update', 'compute'), (s) => s === 'AVAILABLE');
        // One group per write, the rest of the spec as the database has it: one UpdateAutonomousDatabase each.
        const changed = step.group.changes.map((c) => c.field);
        const desired = stagedDesired(desiredFrom(this.o), current!, changed);
        return this.writeAndWait(cr('Update', 'all', { desired }), (s) => s === 'AVAILABLE');
      }
      case 'restoreInPlace': {
        const { transitions, alreadyDone } = await restoreThroughOperator(await this.lifecycle(), step.timestamp);
        const settled = await this.waitFor(undefined, (s) => !TRANSITIONAL_STATES.has(s));
        return { ...settled, transitions: [...transitions, ...settled.transitions], unchanged: alreadyDone };
      }
      case 'start':
        return this.writeAndWait(cr('Start', 'none'), (s) => s === 'AVAILABLE');
      case 'stop':
        return this.writeAndWait(cr('Stop', 'none'), (s) => s === 'STOPPED');
      case 'delete': {
        const result = await this.writeAndWait(cr('Terminate', 'none'), (s) => s === 'TERMINATED');
        await this.kube.remove(ADB, this.name);
        await this.kube.remove('Secret', `${this.name}-admin-password`);
        await this.kube.remove('Secret', `${this.name}-wallet-password`);
        return { ...result, state: undefined };
      }
      case 'backup':
        return this.backup(current!);
      case 'wallet':
        return this.wallet(current!, cr);
    }
  }

  /** Builds this database's custom resource for an action (`id`: the database it binds to, when given). */
  private crBuilder(ociConfig: AdbCrInput['ociConfig'], id?: string): CrBuilder {
    return (action, fields, extra = {}) =>
      adbCr({
        name: this.name,
        namespace: this.o.namespace,
        action,
        desired: desiredFrom(this.o),
        fields,
        ociConfig,
        id,
        ...extra,
      });
  }

  /**
   * operatorOciAuth: apiKey writes the operator's credentials from the OCI connection (server-side apply: a
   * second run changes nothing) and names them in spec.ociConfig; instance principal leaves spec.ociConfig out.
   */
  private async ensureOciConfig(): Promise<AdbCrInput['ociConfig']> {
    if (this.o.operatorOciAuth !== 'apiKey' || !this.o.oci) return undefined;
    const name = `${this.name}-oci-config`;
    this.ctx.secrets.register(Buffer.from(this.o.oci.privateKey, 'utf8').toString('base64'));
    for (const obj of ociConfigObjects(name, this.o.namespace, this.o.oci)) await this.kube.apply(obj);
    return { configMapName: name, secretName: name };
  }

  /** An OCI Vault secret is passed through by OCID (the operator reads it); a password goes into a Secret. */
  private async adminPasswordRef(): Promise<AdbCrInput['adminPassword']> {
    if (this.o.adminPasswordSecretId) return { ociSecretId: this.o.adminPasswordSecretId };
    const secretName = `${this.name}-admin-password`;
    await this.kube.apply(passwordSecret(secretName, this.o.namespace, this.o.adminPassword!));
    return { k8sSecret: secretName };
  }

  /**
   * ensure owns the whole desired spec and writes it by server-side apply; the other actions
   * change only their fields by merge patch, so a stop never re-applies (or, by dropping them from
   * the applied set, deletes) settings that ensure owns. When the write changed the spec (new
   * generation), the status that counts is one written after it: a status from before would say
   * AVAILABLE while the operator has not even started.
   */
  private async writeAndWait(obj: Record<string, unknown>, done: (state: string) => boolean): Promise<StepResult> {
    const before = await this.readCr();
    const spec = obj.spec as { action: string; details: Record<string, unknown> };
    const full = 'dbWorkload' in spec.details;
    const written = full ? await this.kube.apply(obj) : await this.kube.mergePatch(obj);
    const changed = before?.metadata?.generation !== written.metadata?.generation;
    this.ctx.host.info(
      `${full ? 'Applied' : 'Patched'} AutonomousDatabase ${this.o.namespace}/${this.name} (spec.action ${spec.action}${changed ? '' : ', unchanged'}).`,
    );
    return this.waitFor(changed ? written.metadata?.resourceVersion : undefined, done);
  }

  private walletRequest(fresh: boolean, cr: CrBuilder): WalletRequest {
    return {
      kube: this.kube,
      namespace: this.o.namespace,
      secretName: `${this.name}-wallet`,
      passwordSecretName: `${this.name}-wallet-password`,
      password: this.o.walletPassword!,
      patchCr: (wallet) => this.kube.mergePatch(cr('Update', 'none', { wallet })),
      wait: this.waitContext(),
      fresh,
    };
  }

  /** The wallet action: a new download by the operator, zipped under the agent temp directory. */
  private async wallet(current: DbState, cr: CrBuilder): Promise<StepResult> {
    const { secret, transitions } = await operatorWallet(this.walletRequest(true, cr));
    const data = secret.data!;
    const dir = path.join(this.ctx.tempDir, 'oracle-wallets');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const walletPath = path.join(dir, `Wallet_${current.dbName ?? this.name}.zip`);
    fs.writeFileSync(walletPath, walletZipFromSecret(data), { mode: 0o600 });
    this.ctx.host.info(`Wallet (${walletFileNames(data).join(', ')}) written to ${walletPath}.`);
    return { state: current, transitions, walletPath };
  }

  /**
   * Publishing reuses the wallet Secret the operator already wrote (it downloads again only when the Secret is
   * gone), so its uid and resourceVersion identify the wallet; the password reference is the Secret or the OCI
   * Vault secret the resource names.
   */
  async publishMaterial(current: DbState): Promise<PublishMaterial> {
    const cr = this.crBuilder(await this.ensureOciConfig());
    const { secret } = await operatorWallet(this.walletRequest(false, cr));
    const data = secret.data!;
    for (const v of Object.values(data)) this.ctx.secrets.register(v);
    const adminSecret = `${this.name}-admin-password`;
    const k8sRef = this.o.adminPasswordSecretId ? undefined : await this.kube.read('Secret', adminSecret);
    return {
      walletIdentity: `${current.id}@secret/${secret.metadata.uid ?? secret.metadata.name}/${secret.metadata.resourceVersion ?? ''}`,
      walletZip: () => Promise.resolve(walletZipFromSecret(data)),
      adminPasswordRef: this.o.adminPasswordSecretId
        ? { kind: 'ociVaultSecret', secretId: this.o.adminPasswordSecretId }
        : k8sRef
          ? { kind: 'kubernetesSecret', namespace: this.o.namespace, name: adminSecret, key: adminSecret }
          : undefined,
    };
  }

  private waitContext(): Parameters<typeof pollUntil>[3] {
    const hint = `Check that the Oracle Database Operator runs in the cluster and what it reports: kubectl describe adb ${this.name} -n ${this.o.namespace}. Raise 'waitTimeoutMinutes' for long operations; a re-run continues from the current state.`;
    return {
      signal: this.ctx.signal,
      deadline: this.ctx.deadline,
      schedule: this.deps.poll,
      log: (m) => this.ctx.host.info(m),
      timeoutHint: hint,
    };
  }

  private async waitFor(staleVersion: string | undefined, done: (state: string) => boolean): Promise<StepResult> {
    const { value, transitions } = await pollUntil(
      `AutonomousDatabase ${this.o.namespace}/${this.name}`,
      () => this.readCr(),
      (obj) => {
        const fresh = obj !== undefined && obj.metadata?.resourceVersion !== staleVersion;
        const state = !obj ? 'DELETED' : fresh ? this.toState(obj).lifecycleState : 'waiting for the operator';
        if (obj && fresh) note(this.ctx.record.details, this.toState(obj));
        return {
          state,
          done: fresh && done(state),
          failure: !obj
            ? new TaskError(
                `AutonomousDatabase ${this.o.namespace}/${this.name} was deleted while the task waited for it.`,
                'Check who deleted it.',
              )
            : fresh && FAILED_STATES.has(state) && !done(state)
              ? new TaskError(
                  `The operator reports AutonomousDatabase ${this.o.namespace}/${this.name} as ${state}.`,
                  `Check 'kubectl describe adb ${this.name} -n ${this.o.namespace}' and the operator's logs.`,
                )
              : undefined,
        };
      },
      this.waitContext(),
    );
    return { state: value ? this.toState(value) : undefined, transitions };
  }

  private async backup(current: DbState): Promise<StepResult> {
    const suffix = (this.ctx.run.buildId ?? `${Date.now()}`).toLowerCase().replace(/[^a-z0-9-]/g, '');
    const name = `${this.name}-backup-${suffix}`.slice(0, 63).replace(/-+$/, '');
    const displayName = `${this.o.displayName}-${this.ctx.run.buildNumber ?? suffix}`;
    await this.kube.apply(adbBackupCr(name, this.o.namespace, this.name, displayName, await this.ensureOciConfig()));
    this.ctx.host.info(`Applied AutonomousDatabaseBackup ${this.o.namespace}/${name}.`);
    const { value, transitions } = await pollUntil(
      `AutonomousDatabaseBackup ${this.o.namespace}/${name}`,
      () => this.kube.read<Obj>('AutonomousDatabaseBackup', name),
      (b) => {
        const state = String(b?.status?.lifecycleState ?? '') || 'waiting for the operator';
        return {
          state,
          done: state === 'ACTIVE',
          failure:
            state === 'FAILED'
              ? new TaskError(
                  `The operator reports backup ${this.o.namespace}/${name} as FAILED.`,
                  `Check 'kubectl describe adbbu ${name} -n ${this.o.namespace}'.`,
                )
              : undefined,
        };
      },
      this.waitContext(),
    );
    return {
      state: current,
      transitions,
      backupId: String(
        ((value?.spec as Record<string, unknown> | undefined)?.autonomousDatabaseBackupOCID as string | undefined) ??
          name,
      ),
    };
  }
}

export const createOperatorBackend: BackendFactory = async (ctx: TaskContext, o, deps) => {
  const kc = await createKubeConfig(o.kubernetes!, ctx);
  return new OperatorBackend(ctx, o, Kube.connect(kc, o.namespace, ctx.signal, ctx.deadline, deps.retry), deps);
};
