import { createAgentHost } from '../common/agent-host';
import { runTask } from '../common/runner';
import { createDefinition } from './definition';
import { agentSecretVariables } from './secret-variables';

void runTask(createDefinition(agentSecretVariables), createAgentHost());
