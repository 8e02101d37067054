import { checkProfile, newKeySetup, partnerProfileSetup } from '../src/check/iam.js';
import type { Check } from '../src/check/types.js';

/**
 * Lessons 10 and 11: a named profile really is who the lesson says (STS GetCallerIdentity with
 * it): the CI user's own key (`user`), or credentials of another account (`account`: lesson 11's
 * second account).
 */
const check: Check = async (ctx, params) => {
  const profile = String(params.profile);
  const user = typeof params.user === 'string' ? params.user : undefined;
  const account = typeof params.account === 'string' ? params.account : undefined;
  const setup = user ? newKeySetup(ctx, () => ctx.iam(), user, profile) : partnerProfileSetup(ctx, profile);
  return checkProfile(ctx, { profile, setup, ...(user ? { user } : {}), ...(account ? { account } : {}) });
};
export default check;
