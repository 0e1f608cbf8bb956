/** One ##vso[area.event k=v;…]message line, unescaped as the agent unescapes it. */
export interface VsoCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

function unescapeData(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%AZP25/g, '%');
}

function unescapeProperty(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');
}

export function parseVsoCommands(stdout: string): VsoCommand[] {
  const commands: VsoCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const start = line.indexOf('##vso[');
    if (start < 0) continue;
    const end = line.indexOf(']', start);
    if (end < 0) continue;
    const head = line.slice(start + 6, end);
    const space = head.indexOf(' ');
    const command = space < 0 ? head : head.slice(0, space);
    const properties: Record<string, string> = {};
    if (space >= 0) {
      for (const pair of head.slice(space + 1).split(';')) {
        const eq = pair.indexOf('=');
        if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
      }
    }
    commands.push({ command, properties, message: unescapeData(line.slice(end + 1)) });
  }
  return commands;
}
