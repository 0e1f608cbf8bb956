/** The Notation envelope readers (JWS, COSE with its CBOR decoder), behind one dynamic import (signature-checks.ts). */
export { notationCheck } from './verify/notation';
