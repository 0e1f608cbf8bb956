import { ACR_ROWS } from './bad-inputs/rows-acr';
import { describeBadInputs } from './bad-inputs/suite';

describeBadInputs('AcrPromote', ACR_ROWS);
