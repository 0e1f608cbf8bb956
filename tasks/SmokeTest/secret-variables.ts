import * as im from 'azure-pipelines-task-lib/internal';

/**
 * Secret pipeline variables (SECRET_* moved into task-lib's vault at load time), keyed the way
 * the agent keys variables (upper case, '.' and ' ' as '_'). Read from the vault directly:
 * tl.getVariable/getVariables print every value in a debug line.
 */
export function agentSecretVariables(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, info] of Object.entries(im._knownVariableMap)) {
    if (!info.secret) continue;
    const value = im._vault.retrieveSecret(`SECRET_${key}`);
    if (value) out.set(key, value);
  }
  return out;
}
