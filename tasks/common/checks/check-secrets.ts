import { TaskHost } from '../host';
import { SecretRegistry } from '../secrets';
import { variableKey } from '../variable-key';
import { CheckSpec, ParsedChecks, VariableLookup, parseChecks } from '.';

/**
 * Parses a checks document for a task (SmokeTest, CanaryShift): secret variables in the text are
 * registered before anything can print them; then credential headers and query keys are too.
 * `secretVariables` comes from TaskHost.secretVariables(), keyed by variableKey().
 *
 * An inline input was already macro-expanded by the agent, so $(…) is not expanded again: a secret
 * whose value contains "$(x)" must reach the service as it is. A reference left in inline text
 * (secret values aside) names a variable that does not exist. A checks file is expanded here.
 */
export function parseTaskChecks(
  text: string,
  host: TaskHost,
  secrets: SecretRegistry,
  secretVariables: Map<string, string>,
  source: 'inline' | 'file' = 'inline',
): ParsedChecks {
  for (const value of secretVariables.values()) if (text.includes(value)) secrets.register(value);
  if (source === 'inline') {
    let rest = text;
    for (const value of secretVariables.values()) if (value) rest = rest.split(value).join('');
    // $$(name) is the escape for a literal $(name) (see expandVariables).
    const unexpanded = /(?<!\$)\$\(([A-Za-z_][\w.\- ]*)\)/.exec(rest);
    if (unexpanded) {
      const error = `refers to $(${unexpanded[1]}), which the agent left unexpanded: no pipeline variable of that name exists (write $$(${unexpanded[1]}) for the literal text)`;
      return { ok: false, error, errors: [error] };
    }
  }
  const variables = source === 'file' ? variableLookup(host, secretVariables) : undefined;
  const parsed = parseChecks(text, { variables, onSecret: (v) => secrets.register(v) });
  if (parsed.ok) protectChecks(parsed.value, secrets);
  return parsed;
}

/** $(name) → secret variables first (never through task-lib's getVariable, which logs values), then public ones. */
export function variableLookup(host: TaskHost, secrets: Map<string, string>): VariableLookup {
  return (name) => {
    const secret = secrets.get(variableKey(name));
    if (secret !== undefined) return { value: secret, secret: true };
    const value = host.variable(name);
    return value === undefined ? undefined : { value, secret: false };
  };
}

/** Headers that carry credentials by convention, whether or not a secret variable supplied them. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|ocp-apim-subscription-key|x-functions-key)$|token|secret|password|passwd|credential|-key$/i;
const CREDENTIAL_PARAM =
  /^(code|sig|signature|key|apikey|api_key|api-key|token|access_token|secret|password|client_secret|subscription-key)$/i;

/**
 * Defence in depth: values in credential headers and credential query parameters are masked
 * even when they were typed inline, so a service that echoes them cannot leak them to the log.
 */
export function protectChecks(checks: CheckSpec[], secrets: SecretRegistry, baseUrl?: URL): void {
  const protectUrl = (url: URL): void => {
    for (const [k, v] of url.searchParams) if (CREDENTIAL_PARAM.test(k)) secrets.registerGuess(v);
  };
  if (baseUrl) protectUrl(baseUrl);
  for (const check of checks) {
    for (const [name, value] of Object.entries(check.headers)) {
      if (!CREDENTIAL_HEADER.test(name)) continue;
      secrets.registerGuess(value);
      // "Bearer <token>", "Basic <b64>": the credential alone may be echoed without its scheme.
      const credential = /^\s*[A-Za-z][\w-]*\s+(\S{3,})\s*$/.exec(value)?.[1];
      if (credential) secrets.registerGuess(credential);
    }
    const target = check.target.value;
    const query = target.includes('?') ? target.slice(target.indexOf('?')) : '';
    if (query) protectUrl(new URL(`http://x/${query}`));
  }
}
