import * as fs from 'node:fs';
import { AgentRunResult, visibleOutput } from '../../devkit/agent/agent-run';

/**
 * The secret shapes every task is run with, and the scanner that looks for them in everything a
 * person or the hub can see. Each value carries a marker, so a match is a leak, not a coincidence
 * (except the deliberately short one, which is distinctive enough on its own).
 */
export const M = 'Zq7';

export const SHAPES = {
  short: 'p@5s',
  percent: `${M}%41%2F100%done%`,
  percentAt: `%@${M}%@x`,
  quotes: `${M}'single' "double" \`back\``,
  backslash: `${M}\\path\\to\\n\\x\\`,
  dollar: `${M}$HOME$(System.AccessToken)\${x}$`,
  unicode: `${M}-ünïcødé-密码-🔑-ß`,
  json: `{"user":"${M}","pass":"p@ss;w0rd]","n":[1,2]}`,
  pem: `-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8w${M}ggE7AgEAAkEAu\nq5Qn4${M}Lw3xV0m1y8d1e2f3g4h5i6j7k8l9m0n1o2p3q4r5s6t\n-----END PRIVATE KEY-----\n`,
  trailingNewline: `${M}-trailing-newline\n`,
  urlEmbedded: `${M}u:@/?#&=+pa55`,
  vso: `${M}]];##vso[task.setvariable variable=pwned]gotcha`,
  spaces: `  ${M} spaced value  `,
} as const;

export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

/** What can travel in an HTTP header (a token, a password in Basic auth built by us is base64 anyway). */
export function headerSafe(value: string): boolean {
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);
}

/** The forms a value can leak in: raw, without its trailing newline, base64, URL-encoded, JSON-escaped, each line. */
export function leakForms(value: string): string[] {
  const forms = new Set<string>();
  for (const v of new Set([value, value.replace(/\r?\n$/, ''), value.trim()])) {
    forms.add(v);
    forms.add(Buffer.from(v, 'utf8').toString('base64'));
    forms.add(encodeURIComponent(v));
    forms.add(JSON.stringify(v).slice(1, -1));
  }
  if (/\n/.test(value)) {
    for (const line of value.split(/\r?\n/).map((l) => l.trim()))
      if (line.length >= 8 && !/^-----(BEGIN|END) [A-Z ]+-----$/.test(line)) forms.add(line);
  }
  return [...forms].filter((f) => f.length >= 4);
}

export interface Leak {
  secret: string;
  form: string;
  context: string;
}

export function findLeaks(text: string, secrets: Record<string, string>): Leak[] {
  const leaks: Leak[] = [];
  for (const [secret, value] of Object.entries(secrets)) {
    for (const form of leakForms(value)) {
      const at = text.indexOf(form);
      if (at >= 0) leaks.push({ secret, form, context: text.slice(Math.max(0, at - 60), at + form.length + 20) });
    }
  }
  return leaks;
}

/**
 * Everything a run shows: visibleOutput (stdout, stderr, attachments incl. the ledger record, summaries)
 * plus published test results, and any line where a setsecret command is not at the start (the agent
 * would print that line). Secret-flagged setvariable lines are consumed by the agent like setsecret.
 */
export function shownText(run: AgentRunResult): string {
  const hidden = `${run.stdout}\n${run.stderr}`
    .split(/\r?\n/)
    .filter((l) => l.includes('##vso[task.setsecret]') && !l.trimStart().startsWith('##vso[task.setsecret]'));
  const results = run.commands
    .filter((c) => c.command === 'results.publish')
    .flatMap((c) => (c.properties.resultFiles ?? '').split(','))
    .filter((p) => p && fs.existsSync(p));
  const lines = visibleOutput(run)
    .split('\n')
    .filter((l) => !(l.trimStart().startsWith('##vso[task.setvariable') && /issecret=true/i.test(l)));
  return [...lines, ...hidden, ...results.map((p) => fs.readFileSync(p, 'utf8'))].join('\n');
}

/** Figures over the whole suite, printed in one line at the end. */
export const figures = {
  runs: 0,
  shapes: new Set<string>(),
  placements: 0,
  formsChecked: 0,
  leaks: 0,
  tasks: new Set<string>(),
};

/** Scans one run for the given secrets (name → value), counts it, and returns the leaks. */
export function scanRun(task: string, run: AgentRunResult, secrets: Record<string, string>): Leak[] {
  const text = shownText(run);
  figures.runs++;
  figures.tasks.add(task);
  for (const [name, value] of Object.entries(secrets)) {
    for (const shape of name.split(':')[0].split('+')) if (shape in SHAPES) figures.shapes.add(shape);
    figures.placements++;
    figures.formsChecked += leakForms(value).length;
  }
  const leaks = findLeaks(text, secrets);
  figures.leaks += leaks.length;
  return leaks;
}

export function describeLeaks(leaks: Leak[]): string {
  return leaks.map((l) => `${l.secret} as ${JSON.stringify(l.form)} in …${JSON.stringify(l.context)}…`).join('\n');
}

/**
 * Secrets the task did not announce with setsecret (so the agent could not mask them if they were printed by
 * a library): a single-line value itself (without a trailing newline), or each line of a multi-line one.
 */
export function unregistered(run: AgentRunResult, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, value]) => {
      const needed = /\n/.test(value.replace(/\r?\n$/, ''))
        ? value
            .split(/\r?\n/)
            .map((l) => l.trim())
            .filter((l) => l.length >= 3 && !/^-----(BEGIN|END) /.test(l))
        : [value.replace(/\r?\n$/, '')];
      return needed.some((form) => !run.secrets.includes(form) && !run.secrets.includes(form.trim()));
    })
    .map(([name]) => name);
}
