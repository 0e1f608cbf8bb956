import * as fs from 'node:fs';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { InputReader } from '../../common/inputs';
import { KeyVaultKeyRef, parseKeyVaultKeyRef } from './key-vault-ref';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

export type SignaturePolicy =
  | { kind: 'none' }
  /** Exactly one of publicKeyPem (inline or file) and keyVaultKey (read at run time through the AzureRM connection). */
  | { kind: 'cosignKey'; publicKeyPem?: string; keyVaultKey?: KeyVaultKeyRef }
  /** trustedRootJson undefined: the embedded Sigstore public-good root (verify/public-good-root.ts). */
  | { kind: 'cosignKeyless'; trustedRootJson?: string; identity: string; issuer: string }
  | { kind: 'notation'; trustStorePem: string[]; identities: string[] };

/** The supply-chain gate, resolved once from the inputs. */
export interface VerifyPolicy {
  signature: SignaturePolicy;
  requireSbom: boolean;
  vulnerabilities?: { maxSeverity: Severity; allowed: string[] };
}

export function isGateOn(p: VerifyPolicy): boolean {
  return p.signature.kind !== 'none' || p.requireSbom || !!p.vulnerabilities;
}

/** Inline text, or the path of a file holding it (DownloadSecureFile@1 gives a path). */
function textOrFile(inputs: InputReader, name: string, looksInline: (v: string) => boolean): string | undefined {
  const value = inputs.raw(name)?.trim();
  if (!value) return undefined;
  if (looksInline(value)) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch {
    inputs.problem(
      name,
      'is neither inline content nor a readable file path.',
      'Paste the PEM/JSON content, or give the path of a file (e.g. $(file.secureFilePath)).',
    );
    return undefined;
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** What the AzureRM connection says about Key Vault: whether it is set, and its cloud's vault DNS suffix. */
export interface VaultConnection {
  connectionId?: string;
  /** AzureKeyVaultDnsSuffix of the connection (e.g. vault.azure.cn); undefined: not given. */
  dnsSuffix?: string;
}

export function readVerifyPolicy(inputs: InputReader, azure: VaultConnection = {}): VerifyPolicy {
  const kind = inputs.pick<SignaturePolicy['kind']>('verifySignature');
  let signature: SignaturePolicy = { kind: 'none' };
  if (kind === 'cosignKey') {
    signature = readCosignKey(inputs, azure);
  } else if (kind === 'cosignKeyless') {
    const root = textOrFile(inputs, 'sigstoreTrustedRoot', (v) => v.startsWith('{'));
    const identity = inputs.string('certificateIdentity');
    const issuer = inputs.string('certificateOidcIssuer');
    if (root === undefined && !inputs.raw('sigstoreTrustedRoot')) signature = { kind, identity, issuer };
    if (root !== undefined) {
      try {
        const doc = JSON.parse(root) as { certificateAuthorities?: unknown[] };
        if (!Array.isArray(doc.certificateAuthorities) || !doc.certificateAuthorities.length) throw new Error('no CA');
        signature = { kind, trustedRootJson: root, identity, issuer };
      } catch {
        inputs.problem(
          'sigstoreTrustedRoot',
          'is not a Sigstore trusted root (JSON with certificateAuthorities).',
          'Give the trusted_root.json of your Sigstore instance.',
        );
      }
    }
  } else if (kind === 'notation') {
    const store = textOrFile(inputs, 'notationTrustStore', (v) => v.startsWith('-----BEGIN'));
    // One per line: a distinguished name itself holds commas.
    const identities = (inputs.raw('notationTrustedIdentities') ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    const certs = store?.match(PEM_CERT) ?? [];
    if (store !== undefined && !certs.length)
      inputs.problem('notationTrustStore', 'holds no PEM certificate.', 'Give the root certificate(s) in PEM.');
    for (const c of certs) {
      try {
        new X509Certificate(c);
      } catch {
        inputs.problem(
          'notationTrustStore',
          'holds a certificate that cannot be read.',
          'Give PEM X.509 certificates.',
        );
      }
    }
    for (const id of identities) {
      if (id !== '*' && !/^x509\.subject:\s*\S/.test(id))
        inputs.problem(
          'notationTrustedIdentities',
          `'${id.slice(0, 200)}' is not a trusted identity.`,
          "Write 'x509.subject: C=US, O=Contoso, CN=release' or '*'.",
        );
    }
    signature = { kind, trustStorePem: certs, identities };
  }
  const requireVulns = inputs.boolean('requireVulnerabilityReport');
  const allowed = inputs.list('allowedCves');
  for (const id of allowed) {
    if (!/^[A-Za-z][\w.-]*-[\w.-]+$/.test(id))
      inputs.problem(
        'allowedCves',
        `'${id.slice(0, 200)}' is not a vulnerability id.`,
        'Write ids such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx.',
      );
  }
  return {
    signature,
    requireSbom: inputs.boolean('requireSbom'),
    vulnerabilities: requireVulns
      ? { maxSeverity: inputs.pick<Severity>('maxSeverity'), allowed: allowed.map((a) => a.toUpperCase()) }
      : undefined,
  };
}

function readCosignKey(inputs: InputReader, azure: VaultConnection): SignaturePolicy {
  const vaultText = inputs.raw('cosignKeyVaultKey')?.trim();
  if (vaultText) {
    if (inputs.raw('cosignPublicKey')?.trim())
      inputs.problem(
        'cosignKeyVaultKey',
        "and 'cosignPublicKey' are both set; the key comes from one place.",
        "Clear one of them: 'cosignKeyVaultKey' for a Key Vault key, 'cosignPublicKey' for a PEM key.",
      );
    if (!azure.connectionId)
      inputs.problem(
        'azureSubscription',
        "is required with 'cosignKeyVaultKey': the key is read with the connection's identity.",
        "Set an AzureRM service connection whose identity may read the key ('Key Vault Crypto User' role).",
      );
    const parsed = parseKeyVaultKeyRef(vaultText, azure.dnsSuffix ? [azure.dnsSuffix] : []);
    if (!parsed.ok) {
      inputs.problem(
        'cosignKeyVaultKey',
        `'${vaultText.slice(0, 200)}' is not a Key Vault key: ${parsed.error}.`,
        'Write it as cosign does, azurekms://<vault>.vault.azure.net/<key-name>[/<version>], or give the key ' +
          'identifier https://<vault>.vault.azure.net/keys/<key-name>[/<version>].',
      );
      return { kind: 'cosignKey' };
    }
    const suffix = azure.dnsSuffix?.toLowerCase().replace(/^\.+/, '');
    if (suffix && azure.connectionId && parsed.value.suffix.startsWith('vault.') && parsed.value.suffix !== suffix)
      inputs.problem(
        'cosignKeyVaultKey',
        `names a vault in the '${parsed.value.suffix}' cloud, but service connection '${azure.connectionId}' ` +
          `(input 'azureSubscription') is for '${suffix}'.`,
        "Use a connection of the vault's cloud, or a key in a vault of the connection's cloud.",
      );
    return { kind: 'cosignKey', keyVaultKey: parsed.value };
  }
  const pem = textOrFile(inputs, 'cosignPublicKey', (v) => v.startsWith('-----BEGIN'));
  if (pem === undefined && !inputs.raw('cosignPublicKey'))
    inputs.problem(
      'cosignPublicKey',
      "is required with verifySignature: cosignKey (or set 'cosignKeyVaultKey').",
      'Give the PEM public key (cosign.pub) or its path, or the Key Vault key as azurekms://<vault>/<key>.',
    );
  if (pem === undefined) return { kind: 'cosignKey' };
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      inputs.problem(
        'cosignPublicKey',
        `is a ${key.asymmetricKeyType} key; cosign keys are ECDSA P-256.`,
        'Use the cosign.pub written by cosign generate-key-pair.',
      );
    }
    return { kind: 'cosignKey', publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() };
  } catch {
    inputs.problem(
      'cosignPublicKey',
      'is not a PEM public key.',
      'Paste the content of cosign.pub (-----BEGIN PUBLIC KEY-----…).',
    );
    return { kind: 'cosignKey' };
  }
}
