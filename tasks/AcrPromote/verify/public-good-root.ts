import seeds from '@sigstore/tuf/seeds.json';

/** Where the Sigstore public-good instance's TUF repository lives (the seeds' key). */
const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

/**
 * The Sigstore public-good trusted root (Fulcio CAs, Rekor and CT log keys), as shipped by the maintained
 * @sigstore/tuf package in its seeds.json: the `trusted_root.json` TUF target of tuf-repo-cdn.sigstore.dev,
 * base64-encoded, with the TUF root that signed it. Bundled into lazy-sigstore.js, so keyless verification
 * without a `sigstoreTrustedRoot` input works offline (no TUF refresh at run time: an agent may have no
 * route to sigstore.dev). Renewing it is a version bump of @sigstore/tuf.
 */
export function publicGoodTrustedRoot(): string {
  const target = (seeds as Record<string, { targets?: Record<string, string> }>)[PUBLIC_GOOD_TUF]?.targets?.[
    'trusted_root.json'
  ];
  if (!target) throw new Error('@sigstore/tuf/seeds.json has no trusted_root.json for the public-good instance.');
  return Buffer.from(target, 'base64').toString('utf8');
}
