import { resultForError } from '../src/check/common.js';
import { pass, type Check } from '../src/check/types.js';

/** Lesson 02: the learner's credentials work (STS GetCallerIdentity needs no permission at all). */
const check: Check = async (ctx) => {
  const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  try {
    const who = await (await ctx.sts()).send(new GetCallerIdentityCommand({}));
    return pass(`signed in as ${who.Arn}`, [`Account: ${who.Account}`, `Arn: ${who.Arn}`, `UserId: ${who.UserId}`, `Profile: ${ctx.profile}`, `Region: ${ctx.region}`]);
  } catch (error) {
    return resultForError(error, 'STS', ctx);
  }
};
export default check;
