import { strict as assert } from 'node:assert';
import {
  checkRegistryHost,
  formatImageRef,
  imageName,
  isLoopbackRegistry,
  parseImageRef,
  registryApiHost,
} from '../../tasks/common/image-ref';

const D = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  const good: [string, object][] = [
    ['myacr.azurecr.io/app:1.2.3', { registry: 'myacr.azurecr.io', repository: 'app', tag: '1.2.3' }],
    [`myacr.azurecr.io/team/app@${D}`, { registry: 'myacr.azurecr.io', repository: 'team/app', digest: D }],
    [`fra.ocir.io/ns/app:v1@${D}`, { registry: 'fra.ocir.io', repository: 'ns/app', tag: 'v1', digest: D }],
    ['localhost:5000/a/b-c_d.e:latest', { registry: 'localhost:5000', repository: 'a/b-c_d.e', tag: 'latest' }],
    ['127.0.0.1:5001/charts/web:0.1.0', { registry: '127.0.0.1:5001', repository: 'charts/web', tag: '0.1.0' }],
    ['MyAcr.AzureCR.io/app:1', { registry: 'myacr.azurecr.io', repository: 'app', tag: '1' }],
    // Docker docs / Kubernetes pod specs: Docker Hub implied, library/ for official images.
    ['nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['bitnami/nginx:1.27', { registry: 'docker.io', repository: 'bitnami/nginx', tag: '1.27' }],
    ['docker.io/nginx:1.27', { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' }],
    ['index.docker.io/library/nginx:latest', { registry: 'docker.io', repository: 'library/nginx', tag: 'latest' }],
    ['registry-1.docker.io/bitnami/redis:7.2', { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.2' }],
    [`ubuntu@${D}`, { registry: 'docker.io', repository: 'library/ubuntu', digest: D }],
    ['library/app:1.0', { registry: 'docker.io', repository: 'library/app', tag: '1.0' }],
    ['ghcr.io/fluxcd/flux-cli:v2.3.0', { registry: 'ghcr.io', repository: 'fluxcd/flux-cli', tag: 'v2.3.0' }],
    [
      'registry.k8s.io/ingress-nginx/controller:v1.10.1',
      { registry: 'registry.k8s.io', repository: 'ingress-nginx/controller', tag: 'v1.10.1' },
    ],
    ['mcr.microsoft.com/dotnet/aspnet:8.0', { registry: 'mcr.microsoft.com', repository: 'dotnet/aspnet', tag: '8.0' }],
    ['localhost/app:dev', { registry: 'localhost', repository: 'app', tag: 'dev' }],
    ['[::1]:5000/app:1', { registry: '[::1]:5000', repository: 'app', tag: '1' }],
    // OCIR: <region-key>.ocir.io/<tenancy-namespace>/<repo>.
    [
      'fra.ocir.io/axaxnpcrorw5/shop/web:1.4.2',
      { registry: 'fra.ocir.io', repository: 'axaxnpcrorw5/shop/web', tag: '1.4.2' },
    ],
    ['iad.ocir.io/idabcdef1234/app@' + D, { registry: 'iad.ocir.io', repository: 'idabcdef1234/app', digest: D }],
    // Helm: helm push/pull oci:// URLs.
    [
      'oci://registry.example.com/helm/web:1.4.2',
      { registry: 'registry.example.com', repository: 'helm/web', tag: '1.4.2', scheme: 'oci' },
    ],
    [
      'oci://myacr.azurecr.io/helm/hello-world:0.1.0',
      { registry: 'myacr.azurecr.io', repository: 'helm/hello-world', tag: '0.1.0', scheme: 'oci' },
    ],
    [
      'oci://localhost:5000/charts/web:0.1.0',
      { registry: 'localhost:5000', repository: 'charts/web', tag: '0.1.0', scheme: 'oci' },
    ],
  ];
  for (const [text, expected] of good) {
    it(`parses ${text}`, () => {
      const parsed = parseImageRef(text);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
      assert.deepEqual(parsed.value, { tag: undefined, digest: undefined, ...expected });
    });
  }

  const bad: [string, RegExp][] = [
    ['Nginx:1.27', /'library\/Nginx' must be lower case/],
    ['MyOrg/app:1', /'MyOrg' is not a registry host/],
    ['oci://web:1.0', /oci:\/\/ reference names the registry first/],
    ['http://r.io/app:1', /'http:\/\/' is not part of an image reference/],
    ['nginx', /neither a tag nor a digest/],
    [`r.io/${'a'.repeat(260)}:1`, /longer than 255|not valid/],
    ['r.io:99999/app:1', /'r.io:99999' is not a registry host/],
    ['myacr.azurecr.io/App:1', /repository 'App' must be lower case/],
    ['myacr.azurecr.io/app', /neither a tag nor a digest/],
    ['myacr.azurecr.io/app:-bad', /tag '-bad' is not valid/],
    ['myacr.azurecr.io/app@sha256:abc', /digest 'sha256:abc'/],
    ['myacr.azurecr.io/app//x:1', /repository 'app\/\/x' is not valid/],
    ['https://myacr.azurecr.io/app:1', /'https:\/\/' is not part/],
    ['myacr.azurecr.io/../etc:1', /repository '\.\.\/etc' is not valid/],
  ];
  for (const [text, error] of bad) {
    it(`rejects ${text}`, () => {
      const parsed = parseImageRef(text);
      assert.ok(!parsed.ok);
      assert.match(parsed.error, error);
    });
  }

  it('names without a tag parse when asked (pod specs: nginx means :latest)', () => {
    const p = parseImageRef('nginx', { requireReference: false });
    assert.ok(p.ok);
    assert.equal(imageName(p.value), 'docker.io/library/nginx');
  });

  it("sends Docker Hub's API to registry-1.docker.io, every other registry to itself", () => {
    for (const h of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'DOCKER.IO'])
      assert.equal(registryApiHost(h), 'registry-1.docker.io');
    assert.equal(registryApiHost('fra.ocir.io'), 'fra.ocir.io');
    assert.equal(registryApiHost('localhost:5000'), 'localhost:5000');
  });

  const hosts: [string, string | RegExp][] = [
    ['contosoprod.azurecr.io', 'contosoprod.azurecr.io'],
    ['fra.ocir.io', 'fra.ocir.io'],
    ['index.docker.io', 'docker.io'],
    ['oci://myacr.azurecr.io', 'myacr.azurecr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    [
      'fra.ocir.io/axaxnpcrorw5',
      /OCIR tenancy namespace.*targetRegistry to 'fra.ocir.io' and targetRepository to 'axaxnpcrorw5\/<repository>'/,
    ],
    ['myacr.azurecr.io/team', /'team' is part of the repository.*targetRepository to 'team\/<repository>'/],
    ['https://myacr.azurecr.io', /drop 'https:\/\/'.*myacr.azurecr.io/],
    ['127.0.0.1:99999', /host\[:port\]/],
    ['my acr', /host\[:port\]/],
  ];
  for (const [text, want] of hosts) {
    it(`targetRegistry '${text}' ${typeof want === 'string' ? 'is ' + want : 'is refused with a hint'}`, () => {
      const r = checkRegistryHost(text);
      if (typeof want === 'string') assert.deepEqual(r, { ok: true, value: want });
      else assert.match(r.ok ? '' : r.error, want);
    });
  }

  it('formats digests in preference to tags', () => {
    assert.equal(formatImageRef({ registry: 'r.io', repository: 'a', tag: 't', digest: D }), `r.io/a@${D}`);
    assert.equal(formatImageRef({ registry: 'r.io', repository: 'a', tag: 't' }), 'r.io/a:t');
  });

  const loopback: [string, boolean][] = [
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.8.9.10', true],
    ['[::1]:5000', true],
    ['myacr.azurecr.io', false],
    ['10.0.0.1:5000', false],
    ['127.0.0.1.nip.io', false],
    ['localhost.evil.com', false],
  ];
  for (const [host, expected] of loopback) {
    it(`${host} ${expected ? 'may' : 'may not'} use plain HTTP`, () =>
      assert.equal(isLoopbackRegistry(host), expected));
  }
});
