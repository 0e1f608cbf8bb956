import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Endpoint } from '../agent/agent-run';
import { ADMIN, LocalRegistry } from './local-registry';
import { requireTool } from '../support/system-tool';

const run = promisify(execFile);

/** Seeds a registry from an OCI layout with skopeo (an independent client), the way images get there in real life. */
export async function skopeoSeed(
  layoutDir: string,
  ref: string,
  registry: LocalRegistry,
  target: string,
  opts: { all?: boolean } = {},
): Promise<void> {
  // Single manifests keep their bytes (referrers pin their digest); indexes are re-serialised by skopeo.
  await run(
    requireTool('skopeo'),
    [
      'copy',
      '--quiet',
      ...(opts.all ? ['--all'] : ['--preserve-digests']),
      '--dest-tls-verify=false',
      '--dest-creds',
      `${ADMIN.username}:${ADMIN.password}`,
      `oci:${layoutDir}:${ref}`,
      `docker://${registry.host}/${target}`,
    ],
    { maxBuffer: 1 << 20 },
  );
}

/** Reads a registry without the code under test: a token straight from the token server, then plain GET/HEAD. */
export class RegistryProbe {
  private readonly tokens = new Map<string, string>();

  constructor(readonly registry: LocalRegistry) {}

  private async token(repository: string): Promise<string> {
    const cached = this.tokens.get(repository);
    if (cached) return cached;
    const service = /service: (\S+)/.exec(fs.readFileSync(path.join(this.registry.dir, 'config.yml'), 'utf8'))![1];
    const res = await fetch(`${this.registry.tokens.realm}?service=${service}&scope=repository:${repository}:pull`, {
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` },
    });
    const token = ((await res.json()) as { token: string }).token;
    this.tokens.set(repository, token);
    return token;
  }

  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const res = await fetch(`${this.registry.url}/v2/${repository}/manifests/${reference}`, {
      method: 'HEAD',
      headers: {
        authorization: `Bearer ${await this.token(repository)}`,
        accept:
          'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json',
      },
    });
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
  }

  async manifest(repository: string, reference: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.registry.url}/v2/${repository}/manifests/${reference}`, {
      headers: {
        authorization: `Bearer ${await this.token(repository)}`,
        accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    if (res.status !== 200) throw new Error(`manifest ${repository}:${reference}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await fetch(`${this.registry.url}/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${await this.token(repository)}` },
    });
    return res.status === 200;
  }

  /** Every blob file the registry stores, whatever repository links it. */
  storedBlobs(): string[] {
    const root = path.join(this.registry.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256');
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root).flatMap((p) => fs.readdirSync(path.join(root, p)).map((h) => `sha256:${h}`));
  }

  tags(repository: string): string[] {
    const dir = path.join(
      this.registry.dir,
      'data',
      'docker',
      'registry',
      'v2',
      'repositories',
      repository,
      '_manifests',
      'tags',
    );
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  }
}

export function registryEndpoint(registry: LocalRegistry, creds: { username: string; password: string }): Endpoint {
  return {
    url: registry.url,
    scheme: 'UsernamePassword',
    auth: { registry: registry.url, username: creds.username, password: creds.password },
  };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mcdso-acr-${prefix}-`));
}
