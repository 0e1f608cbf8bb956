/** The OCI API backend (oci-database, oci-workrequests, oci-secrets, oci-common), bundled apart (execute.ts). */
export { createOciBackend } from './oci/backend';
