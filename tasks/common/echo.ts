/**
 * How a value the user typed is quoted back in a message. A message echoes at most ECHO_LIMIT
 * characters of any one value: a 120 KiB input pasted by mistake must not turn one error line into
 * 120 KiB (twice: the agent prints the task.issue and the task.complete message), and the part
 * shown is enough to recognise the value. Secrets are masked after quoting by the runner (every
 * message passes SecretRegistry.redact, and the agent masks what we registered).
 */
export const ECHO_LIMIT = 200;

/** Control characters are shown as escapes so a CR, LF or NUL in a value stays visible and on one line. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** 'value', or 'first 200 characters…' (N characters) for a longer one. */
export function quote(value: string, limit = ECHO_LIMIT): string {
  if (value.length <= limit) return `'${visible(value)}'`;
  return `'${visible(value.slice(0, limit))}…' (${value.length} characters)`;
}

/**
 * Backstop for messages built elsewhere with '${value}': every quoted run longer than the limit is
 * cut to it, so no message carries a whole oversized value whoever wrote it.
 */
export function clipQuoted(text: string, limit = ECHO_LIMIT): string {
  if (text.length <= limit) return text;
  return text.replace(/'([^']{0,1000000})'/g, (whole, inner: string) =>
    inner.length > limit ? quote(inner, limit) : whole,
  );
}

/**
 * Credentials people paste inside values: scheme://user:password@host… (a URL) and user:password@host/…
 * (an image reference or registry with credentials in front). Returns the password and the user:password
 * pair, which the caller registers as secrets before any message can quote the value. `repo:tag@sha256:…`
 * is an image reference with a tag and a digest, not credentials.
 */
export function embeddedCredentials(value: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s/"'=,(])([^\s:/@"'=,()]+):([^\s/@"']+)@([^\s/@"']+)/g;
  for (const m of value.matchAll(re)) {
    const [, user, password, host] = m;
    if (/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-f0-9]{8,}/i.test(host) || /^[a-z0-9]+:$/i.test(host)) continue;
    out.push(password, `${user}:${password}`);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded !== password) out.push(decoded);
    } catch {
      // Not percent-encoded: the raw form is registered already.
    }
  }
  return out;
}
