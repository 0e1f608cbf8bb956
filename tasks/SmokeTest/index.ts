import { createAgentHost } from '../common/agent-host';
import { runTask } from '../common/runner';
import { definition } from './definition';

void runTask(definition, createAgentHost());
