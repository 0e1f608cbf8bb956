import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { endpointFromManifest } from '../../devkit/agent/manifest-endpoint';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { EntraEmulator, startEntra, validateBearer } from '../../devkit/emulators/entra';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';
import { OCI_TEST_KEY } from '../../devkit/support/oci-test-key';
import { dbInputs } from '../db/support';

const CLIENT_ID = '6a1d9b2f-3c4e-4d5f-8a6b-7c8d9e0f1a2b';

/** Issue 20 rows 7 and 10, through the agent model. (Row 6 is test/kv/packaged.test.ts: WIF with only SYSTEMVSSCONNECTION.) */
describe('agent model: service connections as Azure DevOps stores them', function () {
  this.timeout(90_000);

  it('row 10: the OCI connection keeps tenancy, user, fingerprint and region readable in the log; the key stays masked', async () => {
    const endpoint = endpointFromManifest('multicloud-devsecops-oci', {
      tenancy: OCI_TEST_KEY.tenancy,
      user: OCI_TEST_KEY.user,
      fingerprint: OCI_TEST_KEY.fingerprint,
      region: 'eu-nowhere',
      privateKey: OCI_TEST_KEY.privateKeyPem,
    });
    assert.deepEqual(Object.keys(endpoint.auth ?? {}), ['privateKey']);
    const r = await runTaskLikeAgent({
      taskDir: packagedTaskDir('OracleDbProvision'),
      inputs: dbInputs({}),
      endpoints: { oci: endpoint },
    });
    assert.equal(r.result, 'Failed');
    const log = r.log.join('\n');
    assert.match(log, /region 'eu-nowhere' is not a region identifier/, log);
    assert.ok(!log.includes(OCI_TEST_KEY.privateKeyPem.split('\n')[1]), 'the private key is masked');
  });

  describe('row 7: Docker Registry connection to ACR with workload identity federation', () => {
    let entra: EntraEmulator;
    let src: LocalRegistry;
    let acr: LocalRegistry;
    let layout: OciLayout | undefined;
    let image: Descriptor;
    before(async () => {
      entra = await startEntra();
      entra.register({ clientId: CLIENT_ID, federatedServiceConnectionId: 'acr-wif' });
      // The target plays ACR: /oauth2/exchange takes an Entra token for ARM issued to the connection's identity.
      const verifyAadToken = async (token: string): Promise<string | undefined> => {
        const v = validateBearer(`Bearer ${token}`, 'https://management.core.windows.net/');
        return v.ok && v.claims.appid === CLIENT_ID ? ADMIN.username : undefined;
      };
      [src, acr] = await Promise.all([
        startLocalRegistry({ name: 'wsrc' }),
        startLocalRegistry({ name: 'wacr', verifyAadToken }),
      ]);
      layout = new OciLayout(tempDir('wlayout'));
      image = layout.image({ layerSizes: [50_000] });
      layout.tag('v1', image);
      await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    });
    after(async () => {
      if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
      await Promise.all([src?.stop(), acr?.stop(), entra?.close()]);
    });

    it('pushes with an ACR token obtained from the job OIDC token, no password anywhere', async () => {
      const r = await runTaskLikeAgent({
        taskDir: packagedTaskDir('AcrPromote'),
        inputs: {
          sourceImage: `${src.host}/team/app:v1`,
          sourceRegistryConnection: 'src',
          targetRegistryConnection: 'acr-wif',
          targetRegistry: acr.host,
          targetRepository: 'wif/app',
          targetTags: 'v1',
        },
        endpoints: {
          src: registryEndpoint(src, READER),
          'acr-wif': {
            url: `https://${acr.host}`,
            scheme: 'WorkloadIdentityFederation',
            auth: {
              tenantid: entra.tenantId,
              serviceprincipalid: CLIENT_ID,
              loginServer: acr.host,
              scope: '/subscriptions/x',
            },
            data: { registrytype: 'ACR', environmentAuthorityUrl: entra.authorityHost },
          },
        },
        systemAccessToken: entra.systemAccessToken,
        env: { SYSTEM_OIDCREQUESTURI: entra.oidcRequestUri },
      });
      assert.equal(r.stepResult, 'Succeeded', `${r.resultMessage}\n${r.stderr}`);
      assert.equal(await new RegistryProbe(acr).manifestDigest('wif/app', 'v1'), image.digest);
      assert.equal(entra.issued.at(-1)?.method, 'federated');
      assert.ok(!visibleOutput(r).includes(entra.systemAccessToken));
    });
  });
});
