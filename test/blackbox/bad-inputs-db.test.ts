import { DB_ROWS } from './bad-inputs/rows-db';
import { describeBadInputs } from './bad-inputs/suite';

describeBadInputs('OracleDbProvision', DB_ROWS);
