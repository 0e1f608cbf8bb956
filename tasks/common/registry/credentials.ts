/**
 * How we authenticate to one registry. `label` names the service connection (or the Azure
 * subscription) in error messages, so a rejected password points at what to fix.
 */
export type RegistryCredentialSource =
  | { kind: 'anonymous'; label: string }
  | { kind: 'basic'; label: string; username: string; password: string }
  /** ACR: an Entra access token exchanged for an ACR refresh token at /oauth2/exchange. */
  | { kind: 'acr'; label: string; tenantId?: string; entraToken: () => Promise<string> };

/** ACR's documented user name for refresh-token logins. */
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
