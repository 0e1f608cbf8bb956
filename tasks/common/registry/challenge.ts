/**
 * WWW-Authenticate parsing (RFC 7235) for the registry token flow: `Bearer realm="…",
 * service="…",scope="…"` or `Basic realm="…"`. Quoted values may contain commas and escapes.
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /\s*([\w-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*(,|$)/gy;
  const rest = m[2];
  re.lastIndex = 0;
  let match: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (match = re.exec(rest))) {
    const value = match[3] !== undefined ? match[3].replace(/\\(.)/g, '$1') : match[2];
    params[match[1].toLowerCase()] = value;
    if (!match[0]) break;
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** `repository:team/app:pull,push` — the scope a registry asks for, and the one we ask for. */
export function repositoryScope(
  repository: string,
  actions: ('pull' | 'push' | 'delete' | 'metadata_write')[],
): string {
  return `repository:${repository}:${actions.join(',')}`;
}
