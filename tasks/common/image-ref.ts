/**
 * Image references as the distribution spec and Docker define them, with the registry always
 * explicit: a promotion between registries must never guess docker.io.
 */
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST = /^(localhost|\[[0-9a-f:]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/i;

export function isRegistryHost(value: string): boolean {
  return HOST.test(value);
}

export function isRepository(value: string): boolean {
  return value.length > 0 && value.length <= 255 && value.split('/').every((c) => COMPONENT.test(c));
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function parseImageRef(input: string): Parsed<ImageRef> {
  const value = input.trim();
  const at = value.indexOf('@');
  const name = at >= 0 ? value.slice(0, at) : value;
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  if (digest !== undefined && !isDigest(digest)) return { ok: false, error: `digest '${digest}' is not sha256:<64 hex> or sha512:<128 hex>` };
  const slash = name.indexOf('/');
  if (slash < 0) return { ok: false, error: 'it has no registry; write registry/repository:tag, e.g. myacr.azurecr.io/app:1.2.3' };
  const registry = name.slice(0, slash);
  if (!(registry.includes('.') || registry.includes(':') || registry === 'localhost') || !isRegistryHost(registry)) {
    return { ok: false, error: `'${registry}' is not a registry host; write registry/repository:tag, e.g. myacr.azurecr.io/app:1.2.3` };
  }
  let repository = name.slice(slash + 1);
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
    if (!isTag(tag)) return { ok: false, error: `tag '${tag}' is not valid (letters, digits, _ . -, at most 128, not starting with . or -)` };
  }
  if (!isRepository(repository)) return { ok: false, error: `repository '${repository}' is not valid (lower-case letters, digits and separators . _ __ - between path components)` };
  if (!tag && !digest) return { ok: false, error: 'it has neither a tag nor a digest; add :tag or @sha256:…' };
  return { ok: true, value: { registry: registry.toLowerCase(), repository, tag, digest } };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag && !ref.digest ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Plain HTTP is allowed only for loopback registries, as Docker does; everything else is HTTPS. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
