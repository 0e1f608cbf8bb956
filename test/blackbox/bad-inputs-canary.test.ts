import { CANARY_ROWS } from './bad-inputs/rows-canary';
import { describeBadInputs } from './bad-inputs/suite';

describeBadInputs('CanaryShift', CANARY_ROWS);
