/**
 * Status expectations: 200, "2xx", "200-299", or a list of those. Parsed once into ranges so a
 * typo such as "2xxx" or "300-200" is rejected before any request is sent.
 */
export interface StatusMatcher {
  ranges: { from: number; to: number }[];
  /** As the user wrote it, for messages: "2xx", "200 or 204". */
  text: string;
}

export type StatusParse = { ok: true; value: StatusMatcher } | { ok: false; error: string };

function parseOne(item: unknown): { from: number; to: number; text: string } | string {
  if (typeof item === 'number') {
    if (!Number.isInteger(item) || item < 100 || item > 599) return `${item} is not an HTTP status from 100 to 599`;
    return { from: item, to: item, text: String(item) };
  }
  if (typeof item !== 'string')
    return `${JSON.stringify(item)} is not a status, a class such as 2xx or a range such as 200-299`;
  const s = item.trim().toLowerCase();
  if (/^\d{3}$/.test(s)) return parseOne(Number(s));
  const cls = /^([1-5])xx$/.exec(s);
  if (cls) {
    const base = Number(cls[1]) * 100;
    return { from: base, to: base + 99, text: s };
  }
  const range = /^(\d{3})\s*-\s*(\d{3})$/.exec(s);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from < 100 || to > 599 || from > to)
      return `'${item}' is not a range of HTTP statuses (low-high, from 100 to 599)`;
    return { from, to, text: `${from}-${to}` };
  }
  return `'${item}' is not a status, a class such as 2xx or a range such as 200-299`;
}

export function parseStatus(value: unknown): StatusParse {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return { ok: false, error: 'is an empty list' };
  const ranges: { from: number; to: number }[] = [];
  const texts: string[] = [];
  for (const item of items) {
    const one = parseOne(item);
    if (typeof one === 'string') return { ok: false, error: one };
    ranges.push({ from: one.from, to: one.to });
    texts.push(one.text);
  }
  return { ok: true, value: { ranges, text: texts.join(' or ') } };
}

export function statusMatches(matcher: StatusMatcher, status: number): boolean {
  return matcher.ranges.some((r) => status >= r.from && status <= r.to);
}

/** What a check expects when it says nothing: any success, as curl --fail and Hurl users assume. */
export const DEFAULT_STATUS: StatusMatcher = { ranges: [{ from: 200, to: 299 }], text: '2xx' };
