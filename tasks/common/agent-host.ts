import * as tl from 'azure-pipelines-task-lib/task';
import * as im from 'azure-pipelines-task-lib/internal';
import { EndpointAccessor, TaskHost, TaskResultKind } from './host';

/**
 * task-lib moves INPUT_* and ENDPOINT_AUTH_* into its vault at load time. We read them from the
 * vault directly because tl.getInput/getEndpointAuthorizationParameter print every value in a
 * debug line, before the task could register it as a secret.
 */
function vault(key: string): string | undefined {
  return im._vault.retrieveSecret(key) ?? undefined;
}

const endpoints: EndpointAccessor = {
  url: (id) => tl.getEndpointUrl(id, true),
  scheme: (id) => tl.getEndpointAuthorizationScheme(id, true),
  authParam: (id, key) => vault(`ENDPOINT_AUTH_PARAMETER_${id}_${key.toUpperCase()}`) ?? authBlobParam(id, key),
  data: (id, key) => tl.getEndpointDataParameter(id, key, true),
};

/** Some connection types (Docker Registry) carry parameters only in the ENDPOINT_AUTH_<id> JSON blob. */
function authBlobParam(id: string, key: string): string | undefined {
  const blob = vault(`ENDPOINT_AUTH_${id}`);
  if (!blob) return undefined;
  try {
    const params = (JSON.parse(blob) as { parameters?: Record<string, string> }).parameters ?? {};
    const match = Object.keys(params).find((k) => k.toLowerCase() === key.toLowerCase());
    return match ? params[match] : undefined;
  } catch {
    return undefined;
  }
}

const RESULT: Record<TaskResultKind, tl.TaskResult> = {
  Succeeded: tl.TaskResult.Succeeded,
  SucceededWithIssues: tl.TaskResult.SucceededWithIssues,
  Failed: tl.TaskResult.Failed,
  Cancelled: tl.TaskResult.Cancelled,
};

export function createAgentHost(): TaskHost {
  return {
    input: (name) => vault(`INPUT_${im._getVariableKey(name)}`),
    variable: (name) => im._getVariable(name),
    secretVariables: () => {
      const out = new Map<string, string>();
      for (const [key, info] of Object.entries(im._knownVariableMap)) {
        const value = info.secret ? vault(`SECRET_${key}`) : undefined;
        if (value) out.set(key, value);
      }
      return out;
    },
    endpoints,
    setSecret: (value) => tl.command('task.setsecret', {}, value),
    setOutput: (name, value, isSecret = false) => tl.setVariable(name, value, isSecret, true),
    setVariable: (name, value, isSecret) => tl.setVariable(name, value, isSecret, false),
    addAttachment: (type, name, path) => tl.addAttachment(type, name, path),
    uploadSummary: (path) => tl.command('task.uploadsummary', null, path),
    info: (message) => console.log(message),
    warn: (message) => tl.warning(message),
    debug: (message) => tl.debug(message),
    setResult: (result, message) => tl.setResult(RESULT[result], message, true),
    exit: (code) => process.exit(code),
  };
}
