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

export function formatCommand(command: string, properties: Record<string, string | undefined>, message: string): string {
  let line = `##vso[${command}`;
  const pairs = Object.entries(properties).filter((e): e is [string, string] => !!e[1]);
  if (pairs.length) line += ` ${pairs.map(([k, v]) => `${k}=${escapeProperty(v)};`).join('')}`;
  return `${line}]${escapeData(message)}`;
}

export function writeCommand(command: string, properties: Record<string, string | undefined>, message: string): void {
  process.stdout.write(formatCommand(command, properties, message) + EOL);
}
