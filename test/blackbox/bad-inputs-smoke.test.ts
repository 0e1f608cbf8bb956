import { SMOKE_ROWS } from './bad-inputs/rows-smoke';
import { describeBadInputs } from './bad-inputs/suite';

describeBadInputs('SmokeTest', SMOKE_ROWS);
