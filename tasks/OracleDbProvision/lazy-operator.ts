/**
 * The Oracle Database Operator backend, bundled apart (execute.ts). Publishing rides along: it needs the same
 * @kubernetes/client-node for a Kubernetes Secret, and one copy of it loads instead of two.
 */
export { createOperatorBackend } from './operator/backend';
export { publishCredentials } from './publish/publish';
