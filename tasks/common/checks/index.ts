/**
 * The SmokeTest check engine, free of task-lib so other tasks (CanaryShift's analysis steps)
 * run the same checks: parse once (all definition errors before any request), then run.
 */
export { parseChecks } from './parse-checks';
export type { ParseOptions, ParsedChecks } from './parse-checks';
export { runChecks, resolveCheckUrl, planProblems, label, label as outcomeLabel } from './run-checks';
export type { RunOptions, RunDeps } from './run-checks';
export { createNodeRequester, TransportError } from './http-exchange';
export type { Requester, RequestSpec } from './http-exchange';
export { compileJsonPath, evaluateJsonPath } from './jsonpath';
export type { VariableLookup, VariableValue } from './values';
export type { CheckSpec, CheckResult, CheckOutcome, RunReport, ThresholdResult } from './types';
export { proxyAuthorization } from './proxy';
export type { ProxySettings } from './proxy';
