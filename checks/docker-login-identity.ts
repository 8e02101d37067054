import { findRepository, missingRepositoryResult, registryLogin, resultForError } from '../src/check/common.js';
import { diagnoses, iamDiagnoses } from '../src/check/diagnoses.js';
import { deniedPrincipal, PUSH_ACTIONS, userArn } from '../src/check/iam.js';
import { fail, pass, type Check, type CheckContext, type CheckResult } from '../src/check/types.js';
import { registryRequest } from '../src/docker/registry.js';
import type { RegistryActivityOutput, RegistryLoginOutput } from '../src/sandbox/control-api/operations.js';

interface Want {
  user: string;
  profile: string;
  /** The user's ARN, in its account. */
  arn: string;
  pushRefused: boolean;
}

/**
 * Lessons 10 and 11: docker is logged in to the registry as an IAM user (a CI user of this
 * account, or the second account's), that login can pull the course's image, and (lesson 10)
 * a push with it was refused. The sandbox knows whose each login is and records each pull and
 * refusal; real ECR tokens are opaque and ECR records no such thing (CloudTrail does), so on
 * AWS the check asks the registry itself with docker's login: a pull's first request, then a
 * push's (an upload it cancels at once), whose refusal names the identity.
 */
const check: Check = async (ctx, params) => {
  const user = String(params.user);
  const profile = String(params.profile);
  const account = typeof params.account === 'string' && /^\d{12}$/.test(params.account) ? params.account : ctx.accountId;
  const want: Want = { user, profile, arn: userArn(ctx.region, account, user), pushRefused: params.pushRefused === true };
  try {
    const stored = await registryLogin(ctx, {
      whenMissing: (_otherHosts, source) => fail(`no login for ${ctx.registryHost}`, iamDiagnoses.ciNotLoggedIn(ctx, user, profile), [`Looked in ${source}`]),
      whenRevoked: () => iamDiagnoses.loginRevoked(ctx, user, profile),
    });
    if (!stored.ok) return stored.result;
    const { login, evidence } = stored;
    if (!(await findRepository(await ctx.ecr(), ctx.repositoryName))) return await missingRepositoryResult(ctx);
    return ctx.sandboxControl ? await fromSandboxRecords(ctx, want, login.secret, evidence) : await fromRegistry(ctx, want, login, evidence);
  } catch (error) {
    return resultForError(error, `the registry at ${ctx.registryHost}`, ctx);
  }
};
export default check;

/** The sandbox: whose login it is, and the pulls and refusals it recorded for that identity since. */
async function fromSandboxRecords(ctx: CheckContext, want: Want, password: string, evidence: string[]): Promise<CheckResult> {
  const control = ctx.sandboxControl!;
  const login = await control.call<RegistryLoginOutput>('DescribeRegistryLogin', { password });
  evidence.push(`That login was issued to ${login.principalArn ?? `a key that no longer works (${login.accessKeyId})`} at ${new Date(login.issuedAt * 1000).toISOString()}`);
  if (login.principalArn !== want.arn) return fail(`docker is logged in as someone else`, iamDiagnoses.dockerLoginOtherIdentity(ctx, want.user, want.profile, login.principalArn), evidence);
  const { events } = await control.call<RegistryActivityOutput>('DescribeRegistryActivity', { repositoryName: ctx.repositoryName, region: ctx.region });
  const since = events.filter((e) => e.principalArn === want.arn && e.at >= login.issuedAt);
  const pulls = since.filter((e) => e.kind === 'pull');
  const refusals = since.filter((e) => e.kind === 'denied');
  for (const e of pulls) evidence.push(`Pulled ${e.imageDigest} at ${new Date(e.at * 1000).toISOString()}`);
  for (const e of refusals) evidence.push(`Refused (${e.action}): ${e.message}`);
  if (pulls.length === 0) {
    const refusedPull = refusals.find((e) => !(PUSH_ACTIONS as readonly string[]).includes(e.action));
    if (refusedPull) return fail(`ECR refused ${want.user}'s pull`, iamDiagnoses.ciPullRefused(ctx, want.user, refusedPull.message ?? ''), evidence);
    return fail(`${want.user} has not pulled yet`, iamDiagnoses.ciNotPulled(ctx, want.user), evidence);
  }
  if (want.pushRefused && !refusals.some((e) => (PUSH_ACTIONS as readonly string[]).includes(e.action))) {
    return fail(`no push by ${want.user} was refused yet`, iamDiagnoses.ciPushNotTried(ctx, want.user), evidence);
  }
  return pass(`docker is logged in as ${want.user}: its pull worked${want.pushRefused ? ', its push was refused' : ''}`, evidence);
}

/**
 * Real AWS: ask the registry with docker's login. The manifest GET is a pull's first request; the
 * upload POST a push's first (ECR's ecr:InitiateLayerUpload), cancelled at once when it is allowed.
 * A read-only login's refusal names the identity, in AWS's words.
 */
async function fromRegistry(ctx: CheckContext, want: Want, login: { username: string; secret: string }, evidence: string[]): Promise<CheckResult> {
  const host = ctx.registryHost;
  const pull = await registryRequest(host, login, 'GET', `/v2/${ctx.repositoryName}/manifests/${ctx.tag}`);
  evidence.push(`Pull (GET manifests/${ctx.tag}) with it: HTTP ${pull.status}${pull.message ? `: ${pull.message}` : ''}`);
  if (pull.status === 404) return fail(`no image tagged ${ctx.tag}`, diagnoses.notPushed(ctx), evidence);
  if (pull.status !== 200) {
    const who = deniedPrincipal(pull.message ?? '');
    if (who && who !== want.arn) return fail('docker is logged in as someone else', iamDiagnoses.dockerLoginOtherIdentity(ctx, want.user, want.profile, who), evidence);
    return fail(`ECR refuses the pull`, iamDiagnoses.ciPullRefused(ctx, want.user, pull.message ?? `HTTP ${pull.status}`), evidence);
  }
  const push = await registryRequest(host, login, 'POST', `/v2/${ctx.repositoryName}/blobs/uploads/`);
  evidence.push(`Push (POST blobs/uploads/) with it: HTTP ${push.status}${push.message ? `: ${push.message}` : ''}`);
  if (push.status === 202) {
    // Allowed: this login can push, so it is not the read-only user's. Cancel the empty upload.
    if (push.location) await registryRequest(host, login, 'DELETE', new URL(push.location, `http://${host}`).pathname).catch(() => undefined);
    return fail('docker is logged in as an identity that may push', iamDiagnoses.dockerLoginOtherIdentity(ctx, want.user, want.profile, undefined), evidence);
  }
  const who = deniedPrincipal(push.message ?? '');
  if (who !== want.arn) return fail('docker is logged in as someone else', iamDiagnoses.dockerLoginOtherIdentity(ctx, want.user, want.profile, who), evidence);
  evidence.push('Real ECR does not record who pulled or whose push it refused (CloudTrail does), so on AWS the check asked the registry itself, with your login.');
  return pass(`docker is logged in as ${want.user}: it may pull, and ECR refuses its push`, evidence);
}
