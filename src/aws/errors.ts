/** AWS errors explained outside a check (resolving the target, cleanup), in the checks' words. */
import { resultForError } from '../check/common.js';
import { classifyAwsError, type AwsProblem } from '../check/aws-errors.js';
import { DEFAULT_PROFILE } from '../course/vars.js';

/** What went wrong and what to do next (with the command), for an AWS SDK error met while talking to `what`. */
export function explainAwsError(error: unknown, what: string, who: { profile?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = resultForError(error, what, { profile: who.profile ?? DEFAULT_PROFILE, solutionOf: () => undefined, env: who.env ?? process.env });
  const d = result.diagnosis;
  return d ? `${d.mistake}\n${d.fix}${d.command ? `\n  ${d.command}` : ''}` : result.summary;
}

/** Problems with who the learner is, which lesson 02 (or `aws sso login`) fixes. */
export const CREDENTIAL_PROBLEMS: readonly AwsProblem[] = ['no-credentials', 'invalid-credentials', 'expired-credentials', 'sso-expired'];

/** Whether the error is about the learner's credentials rather than the network or a permission. */
export function isCredentialProblem(error: unknown): boolean {
  return CREDENTIAL_PROBLEMS.includes(classifyAwsError(error));
}
