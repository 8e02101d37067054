/** AWS errors explained outside a check (resolving the target, cleanup), in the checks' words. */
import { resultForError } from '../check/common.js';
import { classifyAwsError, type AwsProblem } from '../check/aws-errors.js';

/** What went wrong and what to do next, for an AWS SDK error met while talking to `what`. */
export function explainAwsError(error: unknown, what: string): string {
  const result = resultForError(error, what);
  return result.diagnosis ? `${result.diagnosis.mistake}\n${result.diagnosis.fix}` : result.summary;
}

/** Problems with who the learner is, which lesson 02 (or `aws sso login`) fixes. */
export const CREDENTIAL_PROBLEMS: readonly AwsProblem[] = ['no-credentials', 'invalid-credentials', 'expired-credentials', 'sso-expired'];

/** Whether the error is about the learner's credentials rather than the network or a permission. */
export function isCredentialProblem(error: unknown): boolean {
  return CREDENTIAL_PROBLEMS.includes(classifyAwsError(error));
}
