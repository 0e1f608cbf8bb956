/**
 * canaryHeader: testers reach the canary with a header before users do (Argo Rollouts' setHeaderRoute).
 * Gateway API: a rule with the stable rule's matches plus an Exact header match, whose only backend is the
 * canary Service (gateway-api apis/v1/httproute_types.go: among matching rules the one with more header matches
 * wins, so it takes precedence over the split rule). Istio: an http entry before the split one, its matches
 * plus `headers: {name: {exact: value}}` (VirtualService http routes are evaluated in order).
 */
export interface HeaderMatch {
  name: string;
  value: string;
}

/** Gateway API HTTPHeaderName: an RFC 7230 token, at most 256 characters; the value at most 4096. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

export function parseCanaryHeader(text: string): { ok: true; value: HeaderMatch } | { ok: false; error: string } {
  const at = text.indexOf('=');
  const colon = text.indexOf(':');
  // `name: value` as curl -H writes it is accepted too.
  const split = at > 0 ? at : colon > 0 ? colon : -1;
  if (split < 0) return { ok: false, error: `'${text.slice(0, 60)}' is not name=value` };
  const name = text.slice(0, split).trim();
  const value = text.slice(split + 1).trim();
  if (!TOKEN.test(name)) return { ok: false, error: `'${name.slice(0, 60)}' is not a header name (an RFC 7230 token)` };
  if (!value || value.length > 4096) return { ok: false, error: 'the header value is empty or over 4096 characters' };
  return { ok: true, value: { name: name.toLowerCase(), value } };
}

type Obj = Record<string, unknown>;
interface Ref extends Obj {
  name: string;
  kind?: string;
  group?: string;
  namespace?: string;
}
interface Rule extends Obj {
  backendRefs?: Ref[];
  matches?: Obj[];
}

const onlyTo = (refs: Ref[] | undefined, service: string): boolean =>
  !!refs?.length && refs.every((r) => r.name === service && (r.kind ?? 'Service') === 'Service' && !r.group);

/**
 * HTTPRoute rules with (header given) or without (undefined) a header rule to the canary in front of every
 * rule whose only backend is the stable Service. The split rules are left as they are.
 */
export function httpRouteHeaderRules(
  rules: Rule[],
  names: { stable: string; canary: string },
  header: HeaderMatch | undefined,
): Rule[] {
  const kept = rules.filter((r) => !onlyTo(r.backendRefs, names.canary));
  if (!header) return kept;
  return kept.flatMap((rule) => {
    const stable = rule.backendRefs?.find((r) => r.name === names.stable);
    if (!stable || rule.backendRefs!.some((r) => r.name !== names.stable && r.name !== names.canary)) return [rule];
    const { weight: _w, ...base } = stable;
    const headerMatch = { type: 'Exact', name: header.name, value: header.value };
    const matches = (rule.matches?.length ? rule.matches : [{}]).map((m) => ({
      ...m,
      headers: [...((m.headers as Obj[] | undefined) ?? []).filter((h) => h.name !== header.name), headerMatch],
    }));
    const { name: _n, ...rest } = rule;
    return [{ ...rest, matches, backendRefs: [{ ...base, name: names.canary }] }, rule];
  });
}

interface Dest extends Obj {
  destination: { host: string } & Obj;
}
interface HttpEntry extends Obj {
  route?: Dest[];
  match?: Obj[];
}

/** The same for VirtualService http entries; `isHost(host, service)` knows the forms Istio accepts. */
export function virtualServiceHeaderHttp(
  http: HttpEntry[],
  names: { stable: string; canary: string },
  isHost: (host: string, service: string) => boolean,
  header: HeaderMatch | undefined,
): HttpEntry[] {
  const headerOnly = (e: HttpEntry): boolean =>
    !!e.route?.length && e.route.every((r) => isHost(r.destination?.host ?? '', names.canary));
  const kept = http.filter((e) => !headerOnly(e));
  if (!header) return kept;
  return kept.flatMap((entry) => {
    const stable = entry.route?.find((r) => isHost(r.destination?.host ?? '', names.stable));
    if (!stable) return [entry];
    const { weight: _w, ...base } = stable;
    const { subset: _s, ...dest } = stable.destination;
    const host = `${names.canary}${stable.destination.host.slice(names.stable.length)}`;
    const match = (entry.match?.length ? entry.match : [{}]).map((m) => ({
      ...m,
      headers: { ...((m.headers as Obj | undefined) ?? {}), [header.name]: { exact: header.value } },
    }));
    const { name: _n, ...rest } = entry;
    return [{ ...rest, match, route: [{ ...base, destination: { ...dest, host } }] }, entry];
  });
}
