import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTaskLikeAgent } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { KubeApiServer } from '../../devkit/emulators/kube-apiserver';
import { OciDatabaseEmulator } from '../../devkit/emulators/oci-database';
import { tempDir } from '../../devkit/registry/world';
import { ociEndpoint } from '../../devkit/support/oci-test-key';
import { startFakeOperator } from './fake-operator';
import { dbInputs } from './support';

const BUNDLES = ['execute.js', 'lazy-oci.js', 'lazy-operator.js', 'lazy-publish.js'];

/**
 * The packaged OracleDbProvision loads only the backend it runs (tasks/OracleDbProvision/execute.ts): an OCI API
 * run never parses @kubernetes/client-node, an operator run never parses the OCI SDKs (issue 12, task start CPU).
 * The preload lists the files each task process required.
 */
describe('OracleDbProvision packaged: each backend loads only its own bundle', function () {
  this.timeout(60_000);
  const preload = path.join(__dirname, '..', 'acr', 'support', 'loaded-modules.js');

  /** The task folder's bundles a run required, by file name. */
  const bundlesLoaded = (file: string): string[] => {
    const dir = packagedTaskDir('OracleDbProvision');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    assert.ok(
      lines.some((l) => l === `File ${path.join(dir, 'index.js')}`),
      'the preload saw the run',
    );
    return BUNDLES.filter((b) => lines.includes(`File ${path.join(dir, b)}`));
  };
  const traced = () => {
    const modules = path.join(tempDir('dbmods'), 'modules.txt');
    const env = {
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      NODE_OPTIONS: `-r ${preload}`,
      MCDSO_LOADED_MODULES: modules,
    };
    return { modules, env };
  };

  it('OCI API: execute.js and lazy-oci.js, not the operator or publishing bundles', async () => {
    const oci = await OciDatabaseEmulator.start({ delays: { provision: 50 } });
    try {
      const { modules, env } = traced();
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({}),
        endpoints: { oci: ociEndpoint(oci.url) },
        env,
      });
      assert.equal(r.result, 'Succeeded', `${r.resultMessage}\n${r.stderr}`);
      assert.equal(r.outputs.lifecycleState, 'AVAILABLE');
      assert.deepEqual(bundlesLoaded(modules), ['execute.js', 'lazy-oci.js']);
    } finally {
      await oci.close();
    }
  });

  it('operator: execute.js and lazy-operator.js, not the OCI SDK bundle', async () => {
    const kube = await KubeApiServer.start({ namespaces: ['db'] });
    const operator = startFakeOperator(kube);
    try {
      const { modules, env } = traced();
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('OracleDbProvision'),
        inputs: dbInputs({
          target: 'operator',
          kubernetesServiceConnection: 'k8s',
          namespace: 'db',
          ociConnection: '',
          displayName: 'Shop DB',
        }),
        endpoints: { k8s: kube.endpoint() },
        env,
      });
      assert.equal(r.result, 'Succeeded', `${r.resultMessage}\n${r.stderr}`);
      assert.equal(r.outputs.lifecycleState, 'AVAILABLE');
      assert.deepEqual(bundlesLoaded(modules), ['execute.js', 'lazy-operator.js']);
    } finally {
      operator.stop();
      await kube.close();
    }
  });
});
