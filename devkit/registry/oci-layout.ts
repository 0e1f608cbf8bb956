import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Writes OCI image layouts (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * with random layers, multi-arch indexes and referrer artifacts, for skopeo to seed registries.
 */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const EMPTY = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

export class OciLayout {
  private readonly refs: Descriptor[] = [];

  constructor(readonly dir: string) {
    fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    this.blob(Buffer.from('{}'));
  }

  /** Stores content; returns its digest and size. */
  blob(data: Buffer): { digest: string; size: number } {
    const hex = createHash('sha256').update(data).digest('hex');
    fs.writeFileSync(path.join(this.dir, 'blobs', 'sha256', hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  }

  /** A tar layer holding one file of random bytes, written in slices to keep memory small. */
  randomLayer(bytes: number): Descriptor {
    const tmp = path.join(this.dir, `layer-${randomBytes(4).toString('hex')}`);
    const fd = fs.openSync(tmp, 'w');
    const hash = createHash('sha256');
    const write = (b: Buffer): void => {
      fs.writeSync(fd, b);
      hash.update(b);
    };
    write(tarHeader(`data-${randomBytes(4).toString('hex')}.bin`, bytes));
    for (let left = bytes; left > 0; left -= 1 << 20) write(randomBytes(Math.min(left, 1 << 20)));
    const pad = (512 - (bytes % 512)) % 512;
    write(Buffer.alloc(pad + 1024));
    fs.closeSync(fd);
    const hex = hash.digest('hex');
    fs.renameSync(tmp, path.join(this.dir, 'blobs', 'sha256', hex));
    return {
      mediaType: LAYER_TAR,
      digest: `sha256:${hex}`,
      size: fs.statSync(path.join(this.dir, 'blobs', 'sha256', hex)).size,
    };
  }

  image(opts: { layerSizes: number[]; architecture?: string }): Descriptor {
    const layers = opts.layerSizes.map((n) => this.randomLayer(n));
    const architecture = opts.architecture ?? 'amd64';
    const config = this.blob(
      Buffer.from(
        JSON.stringify({
          architecture,
          os: 'linux',
          config: { Cmd: ['/data'] },
          rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        }),
      ),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers,
    };
    return {
      mediaType: OCI_MANIFEST,
      ...this.blob(Buffer.from(JSON.stringify(manifest))),
      platform: { architecture, os: 'linux' },
    };
  }

  index(manifests: Descriptor[]): Descriptor {
    return {
      mediaType: OCI_INDEX,
      ...this.blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }))),
    };
  }

  /** An OCI 1.1 artifact whose subject is `subject` (a signature, an SBOM…). */
  referrer(subject: Descriptor, artifactType: string, content: string): Descriptor {
    const layer = { mediaType: artifactType, ...this.blob(Buffer.from(content)) };
    const created = new Date().toISOString();
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType,
      config: EMPTY,
      layers: [layer],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: { 'org.opencontainers.image.created': created },
    };
    return {
      mediaType: OCI_MANIFEST,
      artifactType,
      annotations: { 'org.opencontainers.image.created': created },
      ...this.blob(Buffer.from(JSON.stringify(manifest))),
    };
  }

  /** A non-image OCI artifact, e.g. a Helm chart: its own config and layer media types. */
  artifact(configType: string, config: string, layerType: string, content: Buffer): Descriptor {
    const configDesc = { mediaType: configType, ...this.blob(Buffer.from(config)) };
    const layer = { mediaType: layerType, ...this.blob(content) };
    const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers: [layer] };
    return { mediaType: OCI_MANIFEST, ...this.blob(Buffer.from(JSON.stringify(manifest))) };
  }

  /** The referrers tag-schema fallback index for `subject`: tag sha256-<hex>. */
  referrersIndex(subject: Descriptor, referrers: Descriptor[]): { tag: string; descriptor: Descriptor } {
    return { tag: subject.digest.replace(':', '-'), descriptor: this.index(referrers) };
  }

  tag(name: string, descriptor: Descriptor): void {
    this.refs.push({
      ...descriptor,
      annotations: { ...descriptor.annotations, 'org.opencontainers.image.ref.name': name },
    });
    fs.writeFileSync(path.join(this.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: this.refs }));
  }
}

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}
