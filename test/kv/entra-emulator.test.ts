import * as assert from 'node:assert/strict';
import { ClientCertificateCredential, ClientSecretCredential, AzurePipelinesCredential } from '@azure/identity';
import { EntraEmulator, startEntra, validateBearer } from '../../devkit/emulators/entra';
import { issueCert } from '../../devkit/support/test-ca';

/** The real @azure/identity credentials against the Entra emulator: the emulator must be what MSAL expects. */
describe('Entra emulator (real @azure/identity)', () => {
  let entra: EntraEmulator;
  const clientId = '11111111-2222-4333-8444-555555555555';
  const secret = 'sp-secret~value.1';
  const cert = issueCert({ names: ['kv-sync-client'], days: 3 });
  const options = (): { authorityHost: string; disableInstanceDiscovery: boolean } => ({
    authorityHost: entra.authorityHost,
    disableInstanceDiscovery: true,
  });

  before(async () => {
    entra = await startEntra();
    entra.register({
      clientId,
      clientSecret: secret,
      certificatePem: cert.cert,
      federatedServiceConnectionId: 'sc-federated-1',
    });
  });
  after(() => entra.close());

  it('issues a token for a client secret that other emulators can validate', async () => {
    const token = await new ClientSecretCredential(entra.tenantId, clientId, secret, options()).getToken(
      'https://vault.azure.net/.default',
    );
    const check = validateBearer(`Bearer ${token.token}`, 'https://vault.azure.net');
    assert.ok(check.ok);
    assert.equal(check.claims.appid, clientId);
    assert.equal(validateBearer(`Bearer ${token.token}`, 'https://management.azure.com').ok, false);
    assert.equal(validateBearer(`Bearer ${token.token.slice(0, -4)}AAAA`).ok, false);
  });

  it('rejects a wrong secret with AADSTS7000215 and an unknown tenant with AADSTS90002', async () => {
    await assert.rejects(
      new ClientSecretCredential(entra.tenantId, clientId, 'wrong', options()).getToken(
        'https://vault.azure.net/.default',
      ),
      /AADSTS7000215/,
    );
    const other = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(
      new ClientSecretCredential(other, clientId, secret, options()).getToken('https://vault.azure.net/.default'),
      /AADSTS90002|endpoints_resolution_error/,
    );
  });

  it('accepts a client assertion signed by the registered certificate, and refuses another certificate', async () => {
    const token = await new ClientCertificateCredential(
      entra.tenantId,
      clientId,
      { certificate: `${cert.cert}\n${cert.key}` },
      options(),
    ).getToken('https://vault.azure.net/.default');
    assert.ok(validateBearer(`Bearer ${token.token}`, 'https://vault.azure.net').ok);
    assert.equal(entra.issued.at(-1)?.method, 'certificate');
    const stranger = issueCert({ names: ['someone-else'], days: 3 });
    await assert.rejects(
      new ClientCertificateCredential(
        entra.tenantId,
        clientId,
        { certificate: `${stranger.cert}\n${stranger.key}` },
        options(),
      ).getToken('https://vault.azure.net/.default'),
      /AADSTS700027/,
    );
  });

  it('exchanges the Azure DevOps OIDC token (workload identity federation)', async () => {
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    process.env.SYSTEM_OIDCREQUESTURI = entra.oidcRequestUri;
    try {
      const ok = new AzurePipelinesCredential(
        entra.tenantId,
        clientId,
        'sc-federated-1',
        entra.systemAccessToken,
        options(),
      );
      assert.ok(
        validateBearer(
          `Bearer ${(await ok.getToken('https://vault.azure.net/.default')).token}`,
          'https://vault.azure.net',
        ).ok,
      );
      assert.equal(entra.issued.at(-1)?.method, 'federated');
      const wrongConnection = new AzurePipelinesCredential(
        entra.tenantId,
        clientId,
        'sc-other',
        entra.systemAccessToken,
        options(),
      );
      await assert.rejects(wrongConnection.getToken('https://vault.azure.net/.default'));
      const wrongJobToken = new AzurePipelinesCredential(
        entra.tenantId,
        clientId,
        'sc-federated-1',
        'not-the-job-token',
        options(),
      );
      await assert.rejects(wrongJobToken.getToken('https://vault.azure.net/.default'));
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI;
      else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
  });
});
