/**
 * OCI's rules for the Autonomous Database ADMIN password: 12-30 characters, at least one
 * upper-case letter, one lower-case letter and one digit, no double quote, and not containing
 * "admin" in any case. Returns what is wrong, never the password.
 */
export function adminPasswordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 12 || password.length > 30)
    problems.push(`has ${password.length} characters (12 to 30 are required)`);
  if (!/[A-Z]/.test(password)) problems.push('has no upper-case letter');
  if (!/[a-z]/.test(password)) problems.push('has no lower-case letter');
  if (!/[0-9]/.test(password)) problems.push('has no digit');
  if (password.includes('"')) problems.push('contains a double quote');
  if (/admin/i.test(password)) problems.push("contains the word 'admin'");
  return problems;
}

/** OCI's wallet password rules: at least 8 characters with a letter and a digit or special character. */
export function walletPasswordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < 8 || password.length > 60)
    problems.push(`has ${password.length} characters (8 to 60 are required)`);
  if (!/[A-Za-z]/.test(password)) problems.push('has no letter');
  if (!/[^A-Za-z]/.test(password)) problems.push('has no digit or special character');
  return problems;
}
