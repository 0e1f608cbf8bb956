import { EOL } from 'node:os';

/**
 * The agent's logging-command wire format: ##vso[area.event key=value;…]message. Escaping follows
 * the agent's parser (and task-lib's TaskCommand, which the tests compare against byte for byte).
 */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/]/g, '%5D').replace(/;/g, '%3B');
}

/**
 * Default-ignorable code points. The agent finds "##vso[" with a culture-sensitive IndexOf
 * (microsoft/azure-pipelines-agent src/Microsoft.VisualStudio.Services.Agent/Command.cs; built with
 * InvariantGlobalization=false), and ICU skips these characters, so "#\u200B#vso[" is still a command.
 */
const IGN =
  '[\\u00AD\\u034F\\u061C\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u206F\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFF8]*';
/** A '#' that, with the next '#', would open "##vso[" (a command) or "##[" (log formatting). */
// eslint-disable-next-line no-misleading-character-class -- each invisible character the agent's comparison ignores is listed on purpose
const OPENER = new RegExp(`#(?=${IGN}#${IGN}(?:v${IGN}s${IGN}o${IGN})?\\[)`, 'giu');
/**
 * Makes text from outside (HTTP bodies, headers, status text, service error messages, names read from
 * services) unable to act as a pipeline command: every "##vso[" or "##[" becomes "# #vso[" / "# #[",
 * ignorable characters and case notwithstanding. The one function every writer of the agent host uses.
 */
export function neutralise(text: string): string {
  return text.replace(OPENER, '# ');
}

/**
 * Whether `next`, written right after `previous` on the same line, completes an opener across the
 * boundary (both already neutralised, so any opener in the joined text spans it); the writer then
 * puts a space between them.
 */
export function joinsIntoOpener(previous: string, next: string): boolean {
  const joined = `${previous.slice(-32)}${next.slice(0, 32)}`;
  return neutralise(joined) !== joined;
}

export function formatCommand(
  command: string,
  properties: Record<string, string | undefined>,
  message: string,
): string {
  let line = `##vso[${command}`;
  const pairs = Object.entries(properties).filter((e): e is [string, string] => !!e[1]);
  if (pairs.length) line += ` ${pairs.map(([k, v]) => `${k}=${escapeProperty(v)};`).join('')}`;
  return `${line}]${escapeData(message)}`;
}

export function writeCommand(command: string, properties: Record<string, string | undefined>, message: string): void {
  process.stdout.write(formatCommand(command, properties, message) + EOL);
}
