import { ImageRef, Parsed, parseImageRef } from '../../common/image-ref';

/**
 * Docker's normalisation of short names as the kubelet applies it (distribution/reference ParseNormalizedNamed):
 * no registry host → docker.io, a single path component → library/<name>. `nginx:1.27` and
 * `docker.io/library/nginx:1.27` are the same image to Kubernetes, so they are the same here.
 * tasks/common/image-ref.ts now normalises too; folding this into it is left for a change that may adjust the
 * tests' expected shapes (this one adds `digest: undefined`).
 */
export function normaliseImageName(text: string): string {
  const value = text.trim();
  const slash = value.indexOf('/');
  const first = slash < 0 ? '' : value.slice(0, slash);
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasHost) return value;
  return slash < 0 ? `docker.io/library/${value}` : `docker.io/${value}`;
}

export function parseKubeImage(text: string): Parsed<ImageRef> {
  return parseImageRef(normaliseImageName(text));
}
