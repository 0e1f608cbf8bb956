import { neutralise } from '../../common/vso-command';

/**
 * Text a metrics service sends back (Prometheus, Log Analytics, OCI error messages) is untrusted: it is put on one
 * line, stripped of control characters, neutralised by the host's one function (so no `##vso[` or `##[` from
 * outside can be read as a logging command) and cut, so that it cannot flood the log.
 */
export function untrustedText(text: string, max = 300): string {
  const flat = [...text.replace(/[\r\n\u2028\u2029]+/g, ' ')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f')
    .join('');
  const defanged = neutralise(flat);
  return defanged.length > max ? `${defanged.slice(0, max)}…` : defanged;
}
