/**
 * The agent's log masking, modelled from src/Agent.Worker/Worker.cs (secret variables are added with
 * their %AZP25/%0D/%0A-escaped and base64 forms; endpoint authorization parameters are added unless
 * MaskingUtil.IsEndpointAuthorizationParametersSecret excludes the key) and
 * src/Microsoft.VisualStudio.Services.Agent/HostContext.cs (value encoders: JSON string escape, URI
 * data escape, backslash escape). Values added later (task.setsecret, setvariable issecret=true)
 * mask only the lines that follow.
 */
const NOT_SECRET_AUTH_PARAMETERS = new Set(
  [
    'role',
    'scope',
    'tenantid',
    'issuedAt',
    'expiresAt',
    'audience',
    'authenticationType',
    'authorizationType',
    'accessTokenType',
    'accessTokenFetchingMethod',
    'useWindowsSecurity',
    'unsecured',
    'oAuthAccessTokenIsSupplied',
    'completeCallbackPayload',
    'acceptUntrustedCerts',
  ].map((k) => k.toLowerCase()),
);

export function isMaskedAuthParameter(key: string): boolean {
  return !NOT_SECRET_AUTH_PARAMETERS.has(key.toLowerCase());
}

function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [value, json, encodeURIComponent(value), value.replace(/\\/g, '\\\\')];
}

export class SecretMasker {
  private readonly values = new Set<string>();

  /** A user-supplied secret (secret variable): also its escaped and base64 forms, as Worker.cs adds them. */
  addUserSecret(value: string): void {
    if (!value.trim()) return;
    const escaped = value.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const base64 = Buffer.from(value, 'utf8').toString('base64');
    for (const v of [value, escaped, value.replace(/\r/g, '%0D').replace(/\n/g, '%0A'), base64]) this.add(v);
  }

  add(value: string | undefined): void {
    if (!value) return;
    for (const v of encodings(value)) if (v) this.values.add(v);
  }

  mask(line: string): string {
    let out = line;
    // Longest first, so a secret that contains another is masked whole.
    for (const v of [...this.values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
}
