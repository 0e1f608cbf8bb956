/**
 * Image references as the distribution reference grammar defines them
 * (github.com/distribution/reference, reference.go) with Docker's normalisation (normalize.go):
 * a name whose first component has no '.' or ':', is not 'localhost' and is all lower case is on
 * docker.io; a single-component name on docker.io gets the 'library/' prefix; index.docker.io is
 * docker.io. Helm writes charts as `oci://registry/repo:version`: the scheme is accepted and its
 * first component is always the registry (Helm, pkg/registry/util.go).
 */
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** 'oci' when written as Helm's oci:// URL. */
  scheme?: 'oci';
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ParseImageOptions {
  /** A tag or a digest is required (default). Off for names read back from a pod spec, where `nginx` means :latest. */
  requireReference?: boolean;
}

export const DOCKER_HUB = 'docker.io';
/** Docker Hub's registry API is not served at docker.io (registry/config.go: IndexHostname vs DefaultV2Registry). */
export const DOCKER_HUB_API = 'registry-1.docker.io';
const HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API, 'registry.hub.docker.com']);

const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST = /^(localhost|\[[0-9a-f:]+\]|[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:\d{1,5})?$/i;
/** reference.go: NameTotalLengthMax. */
const NAME_MAX = 255;

export function isRegistryHost(value: string): boolean {
  const port = /:(\d+)$/.exec(value)?.[1];
  return HOST.test(value) && (port === undefined || (Number(port) > 0 && Number(port) <= 65535));
}

export function isRepository(value: string): boolean {
  return value.length > 0 && value.length <= NAME_MAX && value.split('/').every((c) => COMPONENT.test(c));
}

export function isTag(value: string): boolean {
  return TAG.test(value);
}

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** One name for Docker Hub, whatever alias was written. */
export function canonicalRegistry(host: string): string {
  const h = host.toLowerCase();
  return HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

/** The host that serves the registry API: registry-1.docker.io for Docker Hub, the host itself elsewhere. */
export function registryApiHost(registry: string): string {
  return canonicalRegistry(registry) === DOCKER_HUB ? DOCKER_HUB_API : registry.toLowerCase();
}

export function sameRegistry(a: string, b: string): boolean {
  return canonicalRegistry(a) === canonicalRegistry(b);
}

/** Docker's rule for "is the first component a registry host?" (normalize.go splitDockerDomain). */
function looksLikeHost(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

export function parseImageRef(input: string, opts: ParseImageOptions = {}): Parsed<ImageRef> {
  let value = input.trim();
  let scheme: 'oci' | undefined;
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (schemeMatch) {
    if (schemeMatch[1].toLowerCase() !== 'oci') {
      return {
        ok: false,
        error: `'${schemeMatch[1]}://' is not part of an image reference; drop it (only Helm's oci:// is accepted)`,
      };
    }
    scheme = 'oci';
    value = value.slice(schemeMatch[0].length);
  }
  const at = value.indexOf('@');
  const name = at >= 0 ? value.slice(0, at) : value;
  const digest = at >= 0 ? value.slice(at + 1) : undefined;
  if (digest !== undefined && !isDigest(digest))
    return { ok: false, error: `digest '${digest}' is not sha256:<64 hex> or sha512:<128 hex>` };
  if (!name) return { ok: false, error: 'it has no repository name' };
  const slash = name.indexOf('/');
  let registry: string;
  let rest: string;
  if (scheme === 'oci') {
    if (slash < 0)
      return { ok: false, error: 'an oci:// reference names the registry first: oci://registry/repository:version' };
    registry = name.slice(0, slash);
    rest = name.slice(slash + 1);
  } else if (slash >= 0 && looksLikeHost(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    rest = name.slice(slash + 1);
  } else {
    registry = DOCKER_HUB;
    rest = name;
  }
  if (!isRegistryHost(registry)) return { ok: false, error: `'${registry}' is not a registry host` };
  // Docker reads an upper-case first component as a host; a dotless one is almost always a mistyped namespace.
  if (!scheme && !/[.:]/.test(registry) && registry !== 'localhost') {
    return {
      ok: false,
      error: `'${registry}' is not a registry host (repository names are lower case; a registry host has a '.' or a port)`,
    };
  }
  let repository = rest;
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon >= 0) {
    tag = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
    if (!isTag(tag))
      return {
        ok: false,
        error: `tag '${tag}' is not valid (letters, digits, _ . -, at most 128, not starting with . or -)`,
      };
  }
  registry = canonicalRegistry(registry);
  if (registry === DOCKER_HUB && repository && !repository.includes('/')) repository = `library/${repository}`;
  if (repository !== repository.toLowerCase() && isRepository(repository.toLowerCase())) {
    return { ok: false, error: `repository '${repository}' must be lower case` };
  }
  if (!isRepository(repository)) {
    return {
      ok: false,
      error: `repository '${repository}' is not valid (lower-case letters, digits and separators . _ __ - between path components)`,
    };
  }
  if (`${registry}/${repository}`.length > NAME_MAX)
    return { ok: false, error: `the name is longer than ${NAME_MAX} characters` };
  if (!tag && !digest && opts.requireReference !== false)
    return { ok: false, error: 'it has neither a tag nor a digest; add :tag or @sha256:…' };
  return { ok: true, value: { registry, repository, tag, digest, ...(scheme ? { scheme } : {}) } };
}

/** registry/repository without tag or digest, normalised: how two spellings of one image compare equal. */
export function imageName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return `${canonicalRegistry(ref.registry)}/${ref.repository}`;
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag && !ref.digest ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * Checks a `targetRegistry`-style value: host[:port], nothing else. Returns the hint that fits
 * what was written (a scheme, a path such as an OCIR namespace).
 */
export function checkRegistryHost(input: string): Parsed<string> {
  let value = input.trim();
  if (/^oci:\/\//i.test(value)) value = value.slice('oci://'.length);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme)
    return {
      ok: false,
      error: `drop '${scheme[0]}': write the host only, e.g. ${value.slice(scheme[0].length).split('/')[0]}`,
    };
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const host = value.slice(0, slash);
    const path = value.slice(slash + 1).replace(/\/+$/, '');
    if (isRegistryHost(host) && path && isRepository(path.toLowerCase())) {
      const ocir = /\.ocir\.io$|^ocir\./.test(host.toLowerCase());
      return {
        ok: false,
        error: `'${path}' is part of the repository, not of the registry${ocir ? ' (the OCIR tenancy namespace is the first path component of the repository)' : ''}: set targetRegistry to '${host}' and targetRepository to '${path}/<repository>'`,
      };
    }
    return { ok: false, error: 'write host[:port] without a path' };
  }
  if (!isRegistryHost(value)) return { ok: false, error: 'write host[:port], e.g. contosoprod.azurecr.io' };
  return { ok: true, value: canonicalRegistry(value) };
}

/** Plain HTTP is allowed only for loopback registries, as Docker does; everything else is HTTPS. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}
