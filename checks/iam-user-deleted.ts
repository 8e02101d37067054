import { ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { classifyAwsError } from '../src/check/aws-errors.js';
import { resultForError } from '../src/check/common.js';
import { iamDiagnoses } from '../src/check/diagnoses.js';
import { findUser, userPolicies } from '../src/check/iam.js';
import { fail, pass, type Check } from '../src/check/types.js';

/**
 * Lessons 10 and 11, clean-up: the CI user is gone (keys and policies first, as IAM insists).
 * With `accountProfile`, in the account that profile signs in to; when this machine has no
 * such profile, the course cannot have made anything there through it.
 */
const check: Check = async (ctx, params) => {
  const userName = String(params.user);
  const accountProfile = typeof params.accountProfile === 'string' ? params.accountProfile : undefined;
  try {
    const iam = accountProfile ? await ctx.asProfile(accountProfile).iam() : await ctx.iam();
    const user = await findUser(iam, userName);
    if (!user) return pass(`the IAM user '${userName}' is deleted`, [`GetUser ${userName}: NoSuchEntity`]);
    const [{ AccessKeyMetadata }, policies] = await Promise.all([iam.send(new ListAccessKeysCommand({ UserName: userName })), userPolicies(iam, userName)]);
    const keys = (AccessKeyMetadata ?? []).map((k) => k.AccessKeyId ?? '');
    const evidence = [`User: ${user.arn}`, `Access keys: ${keys.join(', ') || 'none'}`, `Policies: ${policies.map((p) => p.name).join(', ') || 'none'}`];
    return fail(`'${userName}' still exists`, iamDiagnoses.ciUserStillThere(ctx, userName, { keys, policies }, accountProfile), evidence);
  } catch (error) {
    if (accountProfile && classifyAwsError(error) === 'no-credentials') {
      return pass(`no profile '${accountProfile}' here, so no user of the course in a second account`, [`The profile '${accountProfile}' has no credentials on this machine.`]);
    }
    return resultForError(error, 'IAM', ctx);
  }
};
export default check;
