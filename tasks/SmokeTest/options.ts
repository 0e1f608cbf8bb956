import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskHost } from '../common/host';
import { InputReader, filePathSupplied } from '../common/inputs';
import { readAgentNetwork } from '../common/network/agent-network';
import { CheckSpec, ProxySettings, planProblems } from '../common/checks';
import { parseTaskChecks, protectChecks } from '../common/checks/check-secrets';

export interface SmokeTestOptions {
  baseUrl: URL;
  /** The checks document (YAML or JSON) and where it came from, for error messages. */
  checksText: string;
  checksSource: 'checks' | 'checksFile';
  /** Parsed and validated, $(variables) expanded; empty when the inputs have problems. */
  checks: CheckSpec[];
  /** The agent's web proxy (Agent.ProxyUrl…), when it has one. */
  proxy?: ProxySettings;
  waitForReadySeconds: number;
  retries: number;
  retryIntervalSeconds: number;
  concurrency: number;
  timeoutSeconds: number;
  p95ThresholdMs?: number;
  maxFailureRate?: number;
  publishJUnit: boolean;
  taskTimeoutMinutes: number;
}

/** Secret pipeline variables by agent key (FOO_BAR for foo.bar); only the agent host can list them. */

export function readSmokeTestOptions(inputs: InputReader, host: TaskHost): SmokeTestOptions {
  const baseUrl = inputs.url('baseUrl', { schemes: ['https', 'http'] });
  const inline = inputs.raw('checks');
  // An unset checksFile arrives as the repository (or artifacts) directory, never empty.
  const fileInput = inputs.optionalString('checksFile');
  const file = filePathSupplied(fileInput, (n) => host.variable(n)) ? fileInput : undefined;
  let checksText = inline ?? '';
  const checksSource = file ? 'checksFile' : 'checks';
  if (inline && file) {
    inputs.problem(
      'checksFile',
      'is set together with checks.',
      'Set either checks (inline YAML) or checksFile, not both.',
    );
  } else if (file) {
    const root = host.variable('System.DefaultWorkingDirectory') || process.cwd();
    const full = path.resolve(root, file);
    try {
      checksText = fs.readFileSync(full, 'utf8');
    } catch {
      inputs.problem(
        'checksFile',
        `'${file}' cannot be read (resolved to ${full}).`,
        'Check the path; it is relative to the working directory.',
      );
    }
  } else if (!inline) {
    inputs.problem(
      'checks',
      'is required when checksFile is empty.',
      'Write the checks inline as YAML, or point checksFile at a YAML/JSON file.',
    );
  }
  // A key in the base URL's query (?code=…) goes into every request: mask it first.
  if (baseUrl) protectChecks([], inputs.secrets, baseUrl);
  const secrets = host.secretVariables();
  // The agent's proxy, read (and its password registered) by the one module every task uses.
  const proxy = readAgentNetwork(host, inputs.secrets).proxy;
  let checks: CheckSpec[] = [];
  if (checksText) {
    // The agent expands $(secret) in inline inputs: such values arrive as plain text.
    const parsed = parseTaskChecks(
      checksText,
      host,
      inputs.secrets,
      secrets,
      checksSource === 'checksFile' ? 'file' : 'inline',
    );
    if (parsed.ok) {
      checks = parsed.value;
      if (baseUrl)
        for (const problem of planProblems(checks, baseUrl))
          inputs.problem(
            checksSource,
            `${problem}.`,
            'Call the service over HTTPS, or remove certificateValidDays from that check.',
          );
    } else {
      inputs.problem(
        checksSource,
        /[.!?]$/.test(parsed.error) ? parsed.error : `${parsed.error}.`,
        'Fix the checks; see the task help for the format (name, path, expect: status/headers/body/json…).',
      );
    }
  }
  return {
    baseUrl: baseUrl ?? new URL('http://invalid.invalid'),
    checksText,
    checksSource,
    checks,
    proxy,
    waitForReadySeconds: inputs.number('waitForReadySeconds', { min: 0, max: 3600, integer: true }),
    retries: inputs.number('retries', { min: 0, max: 100, integer: true }),
    retryIntervalSeconds: inputs.number('retryIntervalSeconds', { min: 0, max: 600 }),
    concurrency: inputs.number('concurrency', { min: 1, max: 64, integer: true }),
    timeoutSeconds: inputs.number('timeoutSeconds', { min: 1, max: 600 }),
    p95ThresholdMs: inputs.optionalNumber('p95ThresholdMs', { min: 1, max: 600_000 }),
    maxFailureRate: inputs.optionalNumber('maxFailureRate', { min: 0, max: 1 }),
    publishJUnit: inputs.boolean('publishJUnit'),
    taskTimeoutMinutes: inputs.number('taskTimeoutMinutes', { min: 1, max: 1440, integer: true }),
  };
}
