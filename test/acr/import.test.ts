import * as fs from 'node:fs';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ArmEmulator, ArmRegistry, startArm } from '../../devkit/emulators/arm';
import { EntraEmulator, spnConnection, startEntra, validateBearer } from '../../devkit/emulators/entra';
import { Endpoint, runTaskLikeAgent, visibleOutput } from '../../devkit/agent/agent-run';
import { packagedTaskDir } from '../../devkit/agent/vsix';
import { ADMIN, LocalRegistry, READER, startLocalRegistry } from '../../devkit/registry/local-registry';
import { Descriptor, OciLayout } from '../../devkit/registry/oci-layout';
import { runAcrPromote } from './support/run-in-process';
import { RegistryProbe, registryEndpoint, skopeoSeed, tempDir } from '../../devkit/registry/world';

const run = promisify(execFile);
const SUBSCRIPTION = 'c3f1b2a4-5d6e-4f70-8a9b-0c1d2e3f4a5b';
const CLIENT_ID = '5f0c8a1e-2b3d-4c5e-9f60-718293a4b5c6';
const CLIENT_SECRET = 'spn-Secret~value.0123456789';

describe('AcrPromote with Azure: ARM import (LRO) and ACR tokens from Entra', function () {
  this.timeout(60_000);
  let layout: OciLayout | undefined;
  let entra: EntraEmulator;
  let arm: ArmEmulator;
  let src: LocalRegistry;
  let dst: LocalRegistry;
  let image: Descriptor;
  let endpoints: Record<string, Endpoint>;
  const registries: ArmRegistry[] = [];

  before(async () => {
    entra = await startEntra();
    entra.register({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    // The target's token server plays ACR: /oauth2/exchange accepts an Entra token for ARM issued to our app.
    const verifyAadToken = async (token: string): Promise<string | undefined> => {
      const r = validateBearer(`Bearer ${token}`, 'https://management.core.windows.net/');
      return r.ok && r.claims.appid === CLIENT_ID ? ADMIN.username : undefined;
    };
    [src, dst] = await Promise.all([
      startLocalRegistry({ name: 'asrc' }),
      startLocalRegistry({ name: 'adst', verifyAadToken }),
    ]);
    registries.push({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-prod',
      name: 'contosoprod',
      loginServer: dst.host,
    });
    arm = await startArm({
      registries,
      retryAfterSeconds: 1,
      // Server-side import: the registry pulls from the source with the credentials in the request.
      performImport: async (target, body) => {
        const [repo, digest] = body.source.sourceImage.split('@');
        if (repo === 'team/unreachable') throw new Error(`Failed to pull ${repo}: the source registry did not answer.`);
        // An ACR of the same tenant is read with the registry's own trust; others with the credentials given.
        const fromAcr = registries.find((r) => body.source.resourceId?.endsWith(`/registries/${r.name}`));
        const sourceHost = fromAcr?.loginServer ?? body.source.registryUri;
        const creds = fromAcr
          ? ['--src-creds', `${ADMIN.username}:${ADMIN.password}`]
          : body.source.credentials
            ? ['--src-creds', `${body.source.credentials.username}:${body.source.credentials.password}`]
            : [];
        for (const to of body.untaggedTargetRepositories ?? []) {
          await run('skopeo', [
            'copy',
            '--quiet',
            '--all',
            '--preserve-digests',
            '--src-tls-verify=false',
            '--dest-tls-verify=false',
            ...creds,
            '--dest-creds',
            `${ADMIN.username}:${ADMIN.password}`,
            `docker://${sourceHost}/${repo}@${digest}`,
            `docker://${target.loginServer}/${to}@${digest}`,
          ]);
        }
      },
    });
    layout = new OciLayout(tempDir('alayout'));
    image = layout.image({ layerSizes: [120_000, 80_000] });
    layout.tag('v1', image);
    const sig = layout.referrer(image, 'application/vnd.dev.cosign.artifact.sig.v1+json', 'sig');
    const fallback = layout.referrersIndex(image, [sig]);
    layout.tag(fallback.tag, fallback.descriptor);
    await skopeoSeed(layout.dir, 'v1', src, 'team/app:v1');
    await skopeoSeed(layout.dir, 'v1', src, 'team/unreachable:v1');
    await skopeoSeed(layout.dir, fallback.tag, src, `team/app:${fallback.tag}`, { all: true });
    endpoints = {
      src: registryEndpoint(src, READER),
      azure: spnConnection(entra, CLIENT_ID, CLIENT_SECRET, {
        url: `${arm.url}/`,
        data: { subscriptionId: SUBSCRIPTION },
      }),
    };
  });

  after(async () => {
    if (layout) fs.rmSync(layout.dir, { recursive: true, force: true });
    await Promise.all([src?.stop(), dst?.stop(), arm?.close(), entra?.close()]);
  });

  it('imports server-side by digest, then copies referrers and sets tags over the data plane with an ACR token', async () => {
    const inputs = {
      mode: 'import',
      sourceImage: `${src.host}/team/app:v1`,
      sourceRegistryConnection: 'src',
      azureSubscription: 'azure',
      targetRegistry: dst.host,
      targetTags: 'v1, prod',
    };
    const first = await runAcrPromote(inputs, endpoints);
    assert.equal(first.host.result?.result, 'Succeeded', first.host.result?.message);
    assert.equal(first.host.outputs.imageDigest, image.digest);
    assert.equal(arm.imports.length, 1);
    const body = arm.imports[0].body;
    assert.equal(body.source.registryUri, src.host);
    assert.equal(body.source.sourceImage, `team/app@${image.digest}`);
    assert.equal(body.source.credentials?.username, READER.username);
    assert.deepEqual(body.untaggedTargetRepositories, ['team/app']);
    assert.equal(body.targetTags, undefined, 'tags are set last by the task, not by the import');
    // The LRO was polled through Azure-AsyncOperation with a valid api-version.
    assert.ok(arm.requests.some((r) => /operationStatuses/.test(r.path) && r.status === 200));
    assert.ok(arm.requests.every((r) => r.apiVersion === '2025-11-01'));
    const probe = new RegistryProbe(dst);
    assert.equal(await probe.manifestDigest('team/app', 'prod'), image.digest);
    assert.equal(first.record!.details.referrersCopied, 1);
    assert.ok(
      dst.tokens.requests.some((r) => r.path === '/oauth2/exchange' && r.status === 200),
      'ACR refresh token obtained from the Entra token',
    );
    assert.ok(first.host.secrets.includes(CLIENT_SECRET));

    const again = await runAcrPromote(inputs, endpoints);
    assert.equal(again.host.result?.result, 'Succeeded', again.host.result?.message);
    assert.equal(arm.imports.length, 1, 'nothing imported again');
    assert.equal(again.record!.details.referrersCopied, 0);
  });

  it('refuses a target that is not an ACR of the subscription, naming what ARM has', async () => {
    const run = await runAcrPromote(
      {
        mode: 'import',
        sourceImage: `${src.host}/team/app:v1`,
        sourceRegistryConnection: 'src',
        targetRegistryConnection: 'srcw',
        azureSubscription: 'azure',
        targetRegistry: src.host,
        targetRepository: 'other/app',
      },
      {
        ...endpoints,
        srcw: registryEndpoint(src, ADMIN),
      },
    );
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      new RegExp(
        `'${src.host}' is not an Azure Container Registry in subscription ${SUBSCRIPTION}.*found: ${dst.host}`,
      ),
    );
    assert.deepEqual(new RegistryProbe(src).tags('other/app'), []);
  });

  it('copy mode gets target tokens from the Azure subscription when no registry connection is set', async () => {
    const run = await runAcrPromote(
      {
        sourceImage: `${src.host}/team/app:v1`,
        sourceRegistryConnection: 'src',
        azureSubscription: 'azure',
        targetRegistry: dst.host,
        targetRepository: 'viaentra/app',
      },
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
    assert.equal(await new RegistryProbe(dst).manifestDigest('viaentra/app', 'v1'), image.digest);
    assert.ok(
      dst.tokens.requests.some(
        (r) => r.method === 'POST' && r.path === '/token' && r.status === 200 && r.user === ADMIN.username,
      ),
      'refresh-token grant at the realm',
    );
  });

  it('names the Azure connection when ACR refuses its Entra token', async () => {
    entra.register({ clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', clientSecret: 'other-Secret~1' });
    const other = {
      ...endpoints.azure,
      auth: {
        ...endpoints.azure.auth,
        serviceprincipalid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
        serviceprincipalkey: 'other-Secret~1',
      },
    };
    const run = await runAcrPromote(
      {
        sourceImage: `${src.host}/team/app:v1`,
        sourceRegistryConnection: 'src',
        azureSubscription: 'other',
        targetRegistry: dst.host,
        targetRepository: 'denied/app',
      },
      { ...endpoints, other },
    );
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /rejected the credentials of Azure service connection 'other'.*oauth2\/exchange refused its Entra token.*AcrPush/,
    );
    assert.deepEqual(new RegistryProbe(dst).tags('denied/app'), []);
  });

  it('imports from an ACR of the same subscription by resource id, without passing credentials', async () => {
    registries.push({
      subscriptionId: SUBSCRIPTION,
      resourceGroup: 'rg-nonprod',
      name: 'contosononprod',
      loginServer: src.host,
    });
    try {
      const run = await runAcrPromote(
        {
          mode: 'import',
          sourceImage: `${src.host}/team/app@${image.digest}`,
          sourceRegistryConnection: 'src',
          azureSubscription: 'azure',
          targetRegistry: dst.host,
          targetRepository: 'fromacr/app',
          targetTags: 'v1',
          includeReferrers: 'false',
        },
        endpoints,
      );
      assert.equal(run.host.result?.result, 'Succeeded', run.host.result?.message);
      const body = arm.imports[arm.imports.length - 1].body;
      assert.equal(
        body.source.resourceId,
        `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-nonprod/providers/Microsoft.ContainerRegistry/registries/contosononprod`,
      );
      assert.equal(body.source.registryUri, undefined);
      assert.equal(body.source.credentials, undefined);
      assert.equal(await new RegistryProbe(dst).manifestDigest('fromacr/app', 'v1'), image.digest);
    } finally {
      registries.pop();
    }
  });

  it("reports a failed import operation with ARM's error, and moves no tag", async () => {
    const run = await runAcrPromote(
      {
        mode: 'import',
        sourceImage: `${src.host}/team/unreachable:v1`,
        sourceRegistryConnection: 'src',
        azureSubscription: 'azure',
        targetRegistry: dst.host,
        targetTags: 'v1',
      },
      endpoints,
    );
    assert.equal(run.host.result?.result, 'Failed');
    assert.match(
      run.host.result.message,
      /ACR import into .*team\/unreachable failed.*ImportImageFailed.*did not answer/,
    );
    assert.deepEqual(new RegistryProbe(dst).tags('team/unreachable'), []);
  });

  it('the packaged task imports through the bundled Azure SDKs, without leaking the client secret', async () => {
    const before = arm.imports.length;
    const run = await runTaskLikeAgent({
      taskDir: packagedTaskDir('AcrPromote'),
      inputs: {
        mode: 'import',
        sourceImage: `${src.host}/team/app:v1`,
        sourceRegistryConnection: 'src',
        azureSubscription: 'azure',
        targetRegistry: dst.host,
        targetRepository: 'packaged/app',
        targetTags: 'v1',
      },
      endpoints,
    });
    assert.equal(run.code, 0, `${run.resultMessage}\n${run.stderr}`);
    assert.equal(run.outputs.imageDigest, image.digest);
    assert.equal(arm.imports.length, before + 1);
    assert.equal(await new RegistryProbe(dst).manifestDigest('packaged/app', 'v1'), image.digest);
    for (const secret of [CLIENT_SECRET, READER.password]) assert.ok(!visibleOutput(run).includes(secret));
  });
});
