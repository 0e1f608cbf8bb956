/** Publishing credentials (Key Vault, Kubernetes Secret) for OCI API runs that ask for it, bundled apart (execute.ts). */
export { publishCredentials } from './publish/publish';
