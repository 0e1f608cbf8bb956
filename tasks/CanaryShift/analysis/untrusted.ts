/**
 * Text a metrics service sends back (Prometheus, Log Analytics, OCI error messages) is untrusted: it must never
 * be read by the agent as a logging command (the agent honours `##vso[` and `##[` anywhere in a line) and must
 * not flood the log. TODO(lead): replace with the shared neutralising function from tasks/common (issue 20's
 * agent helper) once it lands in main; this keeps the same contract meanwhile.
 */
export function untrustedText(text: string, max = 300): string {
  const flat = [...text.replace(/[\r\n\u2028\u2029]+/g, ' ')].filter((c) => c.charCodeAt(0) >= 0x20 && c !== '\u007f').join('');
  const defanged = flat.replace(/##(?=\s*(vso)?\s*\[)/gi, '#\u200b#');
  return defanged.length > max ? `${defanged.slice(0, max)}…` : defanged;
}
