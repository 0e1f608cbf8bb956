/**
 * Every secret, and every form of it the task may send or print, is announced to the agent
 * (##vso[task.setsecret]) before first use, so the agent masks it in the log. The registry also
 * redacts records and summaries we write ourselves, which the agent never masks.
 */
export type SecretSink = (value: string) => void;

/**
 * Shorter values would mask every matching letter pair in the log (and our own records) while
 * protecting nothing: a 2-character secret is guessable anyway.
 */
const MIN_FORM_LENGTH = 3;

export function derivedForms(value: string): string[] {
  const forms = new Set<string>();
  if (value.trim().length < MIN_FORM_LENGTH) return [];
  const add = (form: string): void => {
    if (form.length >= MIN_FORM_LENGTH) forms.add(form);
  };
  add(value);
  const trimmed = value.replace(/\r?\n$/, '');
  add(trimmed);
  add(Buffer.from(value, 'utf8').toString('base64'));
  add(Buffer.from(trimmed, 'utf8').toString('base64'));
  add(Buffer.from(value, 'utf8').toString('base64url'));
  add(encodeURIComponent(value));
  add(encodeURIComponent(value).replace(/%20/g, '+'));
  add(JSON.stringify(value).slice(1, -1));
  // Multi-line values (PEM keys) are printed and masked line by line by the agent.
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) {
      const t = line.trim();
      if (t.length >= MIN_FORM_LENGTH && !/^-----(BEGIN|END) [A-Z ]+-----$/.test(t)) add(t);
    }
  }
  return [...forms];
}

export class SecretRegistry {
  private readonly forms = new Set<string>();

  constructor(private readonly sink: SecretSink) {}

  /** Registers the value and its derived forms; returns the value for fluent use. */
  register(value: string | undefined): string | undefined {
    if (!value) return value;
    for (const form of derivedForms(value)) {
      if (this.forms.has(form)) continue;
      this.forms.add(form);
      // The agent's setsecret is single-line: multi-line wholes are covered by their lines.
      if (!/[\r\n]/.test(form)) this.sink(form);
    }
    return value;
  }

  has(value: string): boolean {
    return this.forms.has(value);
  }

  /** Replaces every registered form in text we write ourselves (records, summaries, files). */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    const sorted = [...this.forms].sort((a, b) => b.length - a.length);
    for (const form of sorted) {
      if (out.includes(form)) out = out.split(form).join('***');
    }
    return out;
  }
}
