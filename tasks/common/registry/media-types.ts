import { createHash } from 'node:crypto';
import { TaskError } from '../errors';

/** Manifest media types of the OCI image spec and Docker's schema 2, which every registry serves. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Sent on every manifest request: without it, registries down-convert to schema 1. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
].join(', ');

/** Spec limit a registry may enforce; manifests are the only content we hold in memory. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string; variant?: string };
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  /** Index entries: manifests that must exist before the index is pushed. */
  manifests: Descriptor[];
  /** Config and layers: blobs that must exist before the manifest is pushed. */
  blobs: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerList;
}

/**
 * Layers a registry is not allowed to redistribute (Windows base layers and OCI's
 * non-distributable types): registries accept manifests that reference them without the blob.
 */
export function isForeignLayer(d: Descriptor): boolean {
  return (
    d.mediaType === 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip' ||
    d.mediaType.startsWith('application/vnd.oci.image.layer.nondistributable.')
  );
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function digestOf(bytes: Uint8Array, algorithm: string): string {
  const name = algorithm === 'sha512' ? 'sha512' : 'sha256';
  return `${name}:${createHash(name).update(bytes).digest('hex')}`;
}

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Descriptor;
  return (
    !!d &&
    typeof d === 'object' &&
    typeof d.mediaType === 'string' &&
    typeof d.digest === 'string' &&
    /^sha(256|512):[a-f0-9]+$/.test(d.digest) &&
    Number.isSafeInteger(d.size) &&
    d.size >= 0
  );
}

/**
 * Reads what a manifest references. The bytes themselves are pushed unchanged: re-serialising
 * would change the digest that signatures and deployments pin.
 */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, where: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new TaskError(`The manifest of ${where} is not JSON.`);
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const type = stripParams(contentType) ?? declared;
  const mediaType =
    type && type !== 'application/json' && type !== 'application/octet-stream'
      ? type
      : (declared ?? (Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest));
  if (mediaType === MediaType.dockerSchema1 || mediaType === MediaType.dockerSchema1Signed || doc.schemaVersion === 1) {
    throw new TaskError(
      `${where} is a Docker schema 1 image, which cannot be copied by digest.`,
      'Rebuild and push it with a current Docker or BuildKit (schema 2), then promote the new digest.',
    );
  }
  const list = (v: unknown, what: string): Descriptor[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(isDescriptor))
      throw new TaskError(`The manifest of ${where} has an invalid '${what}' list.`);
    return v;
  };
  const subject = isDescriptor(doc.subject) ? doc.subject : undefined;
  const annotations =
    doc.annotations && typeof doc.annotations === 'object' ? (doc.annotations as Record<string, string>) : undefined;
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  if (isIndexType(mediaType)) {
    return {
      mediaType,
      isIndex: true,
      manifests: list(doc.manifests, 'manifests'),
      blobs: [],
      subject,
      artifactType,
      annotations,
    };
  }
  if (mediaType !== MediaType.ociManifest && mediaType !== MediaType.dockerManifest) {
    throw new TaskError(`The manifest of ${where} has the unsupported media type '${mediaType}'.`);
  }
  if (!isDescriptor(doc.config)) throw new TaskError(`The manifest of ${where} has no valid config descriptor.`);
  const layers = list(doc.layers, 'layers');
  return {
    mediaType,
    isIndex: false,
    manifests: [],
    blobs: [doc.config, ...layers].filter((d) => !isForeignLayer(d)),
    subject,
    artifactType:
      artifactType ??
      (doc.config.mediaType !== 'application/vnd.oci.image.config.v1+json' ? doc.config.mediaType : undefined),
    annotations,
  };
}

export function stripParams(contentType: string | null | undefined): string | undefined {
  const t = contentType?.split(';')[0].trim().toLowerCase();
  return t || undefined;
}

/** The referrers tag-schema fallback tag for a digest (OCI distribution spec 1.1). */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-').slice(0, 128);
}
