/** The Sigstore verification libraries, behind one dynamic import (see signature-checks.ts). */
export { sigstoreBundleCheck } from './verify/sigstore-bundle';
