import { entry, fromTable } from '../query/errors.js';

/**
 * STS's own errors (besides the authentication errors every query service shares), as one
 * table. AssumeRole's denial and duration messages are AWS's (STS answers quoted in issue
 * reports); the sandbox's refusals of what it does not implement say so plainly.
 */
export const STS_ERRORS = {
  /** `User: <caller> is not authorized to perform: sts:AssumeRole on resource: <role arn>` (no reason clause). */
  accessDenied: entry('AccessDenied', 403, (message: string) => message),
  durationOverMax: entry('ValidationError', 400, () => 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
  durationChained: entry(
    'ValidationError',
    400,
    () => 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
  ),
  /** Sandbox wording. */
  sessionPolicyUnsupported: entry(
    'ValidationError',
    400,
    () =>
      'The ECR sandbox does not apply session policies (Policy, PolicyArns): leave them out, or try them against real AWS. The role\'s own policies apply in full.',
  ),
  /** Sandbox wording. */
  mfaUnsupported: entry(
    'ValidationError',
    400,
    () => 'The ECR sandbox has no MFA devices (SerialNumber, TokenCode): leave them out, or try MFA against real AWS.',
  ),
} as const;

export const stsError = <N extends keyof typeof STS_ERRORS>(name: N, ...args: Parameters<(typeof STS_ERRORS)[N]['message']>) =>
  fromTable(STS_ERRORS, name, ...args);
