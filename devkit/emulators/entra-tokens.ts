/**
 * Tokens of the Entra emulator (devkit/emulators/entra.ts): signing, decoding and the shared verifier other
 * emulators use, `validateBearer(authorizationHeader, audience?)`. One signing key for every test process
 * (devkit/support/cached-key.ts).
 */
import * as crypto from 'node:crypto';
import { cachedRsaKey } from '../support/cached-key';

/** One key for every emulator instance, so each can check every token. */
export const SIGNING = cachedRsaKey('entra-signing');
export const TOKEN_KID = 'emulator-token-key';
export const OIDC_KID = 'emulator-ado-oidc-key';
export const FEDERATION_AUDIENCE = 'api://AzureADTokenExchange';
export const ADO_ISSUER = 'https://vstoken.dev.azure.com/7f0e1c3a-0000-4000-8000-00000000c0de';

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  appid: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  [claim: string]: unknown;
}

export type BearerResult = { ok: true; claims: TokenClaims } | { ok: false; reason: string };

const b64u = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export function signJwt(payload: object, kid: string): string {
  const head = `${b64u(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }))}.${b64u(JSON.stringify(payload))}`;
  return `${head}.${b64u(crypto.sign('sha256', Buffer.from(head), SIGNING.privateKey))}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signed: Buffer;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    return {
      header: JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')),
      payload: JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')),
      signed: Buffer.from(`${parts[0]}.${parts[1]}`),
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** Verifies an RS256 or PS256 signature with the given public key. */
export function verifySignature(jwt: DecodedJwt, key: crypto.KeyObject): boolean {
  if (jwt.header.alg === 'RS256') return crypto.verify('sha256', jwt.signed, key, jwt.signature);
  if (jwt.header.alg === 'PS256') {
    return crypto.verify(
      'sha256',
      jwt.signed,
      { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
      jwt.signature,
    );
  }
  return false;
}

const norm = (aud: string): string => aud.replace(/\/+$/, '').toLowerCase();

/**
 * Checks an `Authorization: Bearer …` header against tokens issued by any Entra emulator in this
 * process: signature, expiry and (when given) the audience, e.g. 'https://vault.azure.net'.
 */
export function validateBearer(header: string | undefined, audience?: string): BearerResult {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return { ok: false, reason: 'no bearer token' };
  const jwt = decodeJwt(m[1]);
  if (!jwt || jwt.header.kid !== TOKEN_KID || !verifySignature(jwt, SIGNING.publicKey))
    return { ok: false, reason: 'token signature is invalid' };
  const claims = jwt.payload as TokenClaims;
  const now = Math.floor(Date.now() / 1000);
  if (claims.exp < now) return { ok: false, reason: 'token is expired' };
  if (audience && norm(claims.aud) !== norm(audience))
    return { ok: false, reason: `token audience '${claims.aud}' is not '${audience}'` };
  return { ok: true, claims };
}
