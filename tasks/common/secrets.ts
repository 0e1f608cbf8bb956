/**
 * Every secret, and every form of it the task may send or print, is announced to the agent
 * (##vso[task.setsecret]) before first use, so the agent masks it in the log. The registry also
 * redacts records and summaries we write ourselves, which the agent never masks.
 */
export type SecretSink = (value: string) => void;

/**
 * The agent masks secrets of any length: its SecretMasker's MinSecretLength comes from the knob
 * AZP_IGNORE_SECRETS_SHORTER_THAN, built-in default 0 (azure-pipelines-agent src/Agent.Sdk/Knob/
 * AgentKnobs.cs MaskedSecretMinLength; task.setsecret → LoggedSecretMasker.AddValue). A task that
 * drops short values itself leaves them in its own records and summaries, which the agent never
 * masks; so every length is registered and redacted unless the pipeline sets that knob.
 */
export function minSecretLength(knob: string | undefined): number {
  const n = Number((knob ?? '').trim());
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** RFC 3986 strict: encodeURIComponent plus ! ' ( ) *, as many HTTP clients and signers write them. */
function strictEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The forms a URL parser produces for the value in each part of a URL (WHATWG URL: userinfo, path,
 * query each have their own percent-encode set; ' becomes %27 in a query but not in a path) and as
 * a form field (URLSearchParams: space as +). These are what a request line or an echoed URL holds.
 */
function urlForms(value: string): string[] {
  const out: string[] = [];
  try {
    const u = new URL('http://h/');
    u.password = value;
    out.push(u.password);
    u.pathname = `/${value}`;
    out.push(u.pathname.slice(1));
    u.search = `?${value}`;
    out.push(u.search.slice(1));
    out.push(new URLSearchParams({ v: value }).toString().slice(2));
  } catch {
    // A value the URL parser refuses cannot appear in a URL we build.
  }
  return out;
}

export function derivedForms(value: string, minLength = 1): string[] {
  const forms = new Set<string>();
  if (value.trim().length < minLength || value.trim() === '') return [];
  const add = (form: string): void => {
    if (form.length >= minLength && form.trim() !== '') forms.add(form);
  };
  add(value);
  const trimmed = value.replace(/\r?\n$/, '');
  add(trimmed);
  add(Buffer.from(value, 'utf8').toString('base64'));
  add(Buffer.from(trimmed, 'utf8').toString('base64'));
  add(Buffer.from(value, 'utf8').toString('base64url'));
  add(encodeURIComponent(value));
  add(encodeURIComponent(value).replace(/%20/g, '+'));
  add(strictEncode(value));
  for (const form of urlForms(value)) add(form);
  add(JSON.stringify(value).slice(1, -1));
  // Multi-line values (PEM keys) are printed and masked line by line by the agent.
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) {
      const t = line.trim();
      if (t.length >= Math.max(minLength, 3) && !/^-----(BEGIN|END) [A-Z ]+-----$/.test(t)) add(t);
    }
  }
  return [...forms];
}

const GUESS_MIN_LENGTH = 4;

export class SecretRegistry {
  private readonly forms = new Set<string>();
  /** The forms longest first, kept until the next registration: a record is redacted string by string. */
  private sorted?: string[];

  /** `minLength`: the agent's AZP_IGNORE_SECRETS_SHORTER_THAN (see minSecretLength); 1 masks every length. */
  constructor(
    private readonly sink: SecretSink,
    private readonly minLength = 1,
  ) {}

  /** Registers the value and its derived forms; returns the value for fluent use. */
  register(value: string | undefined): string | undefined {
    if (!value) return value;
    for (const form of derivedForms(value, this.minLength)) {
      if (this.forms.has(form)) continue;
      this.forms.add(form);
      this.sorted = undefined;
      // The agent's setsecret is single-line: multi-line wholes are covered by their lines.
      if (!/[\r\n]/.test(form)) this.sink(form);
    }
    return value;
  }

  /**
   * A value that only looks like a credential (a password inside a URL, a value under a header or
   * query key named like one): registered when it has at least GUESS_MIN_LENGTH characters, since a
   * guess of "1" would mask every 1 in the log while protecting nothing anyone chose as a secret.
   */
  registerGuess(value: string | undefined): string | undefined {
    if (value && value.trim().length >= GUESS_MIN_LENGTH) this.register(value);
    return value;
  }

  has(value: string): boolean {
    return this.forms.has(value);
  }

  /** Replaces every registered form in text we write ourselves (records, summaries, files). */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    this.sorted ??= [...this.forms].sort((a, b) => b.length - a.length);
    for (const form of this.sorted) {
      if (out.includes(form)) out = out.split(form).join('***');
    }
    return out;
  }
}
