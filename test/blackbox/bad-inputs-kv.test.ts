import { KV_ROWS } from './bad-inputs/rows-kv';
import { describeBadInputs } from './bad-inputs/suite';

describeBadInputs('KeyVaultToOci', KV_ROWS);
