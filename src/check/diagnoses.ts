/**
 * Every diagnosis a check can give, in one place: what most likely went wrong and what to do
 * next, with the complete command that does it (the learner's real region, profile, registry and
 * repository filled in). Ids are stable (tests and `check --json` use them). Commands are written
 * with `docker` and plain `aws`; the runner renders them for the learner's client and aws CLI.
 */
import { nearestRegion, partitionOf } from '../aws/regions.js';
import { learnerOf } from '../course/vars.js';
import type { ContainerClient } from '../docker/client.js';
import { registryBaseUrl } from '../docker/registry.js';
import { shellQuote as q } from '../util/shell.js';
import { formatSize } from '../util/size.js';
import { deniedAction } from './aws-errors.js';
import type { CheckContext, Diagnosis } from './types.js';

const d = (id: string, mistake: string, fix: string, command?: string): Diagnosis => ({ id, mistake, fix, ...(command ? { command } : {}) });

/** What a fix needs to name the learner's real values. */
export type FixContext = Pick<CheckContext, 'region' | 'profile' | 'registryHost' | 'repositoryName' | 'repositoryUri' | 'tag' | 'localImage' | 'client' | 'solutionOf'>;

/** The same things said by each client: the messages differ, the mistakes do not. */
const CLIENT_WORDS: Record<ContainerClient, { name: string; noLogin: string; hubPush: (source: string) => string; badUser: string }> = {
  docker: {
    name: 'Docker',
    noLogin: '"no basic auth credentials"',
    hubPush: (source) =>
      `'${source}' has no registry host, so \`docker push ${source}\` goes to Docker Hub (docker.io/library/...), which refuses it: "denied: requested access to the resource is denied".`,
    badUser: '"401 Unauthorized"',
  },
  // Wording from podman 4.3 against the sandbox and Docker Hub.
  podman: {
    name: 'Podman',
    noLogin: '"unauthorized: authentication required"',
    hubPush: (source) =>
      `'${source}' has no registry host, so \`podman push ${source}\` goes to Docker Hub (docker.io/library/...): it fails there with "requested access to the resource is denied", or "pinging container registry registry-1.docker.io" when Docker Hub is out of reach.`,
    badUser: '"invalid username/password"',
  },
};

/** What a fix for the learner's credentials needs: the profile, and lesson 02's commands. */
export type CredentialFixContext = Pick<FixContext, 'profile' | 'solutionOf'>;

/** The lesson-02 steps, the target's way: the sandbox's keys, or `aws configure` on AWS. */
function storeCredentials(fx: CredentialFixContext): string {
  return fx.solutionOf('caller-identity')?.join(' && ') ?? `aws configure --profile ${q(fx.profile)}`;
}

/** An aws command with the learner's region and profile, as every lesson command carries them. */
export function awsCommand(fx: Pick<FixContext, 'region' | 'profile'>, args: string, region = fx.region): string {
  return `aws ${args} --region ${q(region)} --profile ${q(fx.profile)}`;
}

/** Lesson 04's login for `host`, with a token from the learner's region and profile. */
export function loginCommand(fx: FixContext, host = fx.registryHost): string {
  return `${awsCommand(fx, 'ecr get-login-password')} | docker login --username AWS --password-stdin ${q(host)}`;
}

/** A word for Podman learners on a plain-HTTP (sandbox) registry: `podman login` needs --tls-verify=false there. */
function podmanPlainHttp(fx: FixContext): string {
  if (fx.client !== 'podman' || !registryBaseUrl(fx.registryHost).startsWith('http:')) return '';
  return ` Podman speaks HTTPS unless told otherwise: on the sandbox's plain-HTTP ${fx.registryHost} it answers "server gave HTTP response to HTTPS client" without --tls-verify=false (the command has it).`;
}

const target = (fx: FixContext) => `${fx.repositoryUri}:${fx.tag}`;

/** Lesson 03's full create-repository (scan on push, immutable tags, tags), else a plain one. */
function createRepository(fx: FixContext): string {
  return fx.solutionOf('repository-configured')?.join(' && ') ?? awsCommand(fx, `ecr create-repository --repository-name ${q(fx.repositoryName)}`);
}

/** Where the learner's AWS profile stands, as the lessons' `--profile` reads it. */
export interface ProfileReport {
  profile: string;
  credentialsFile: string;
  configFile: string;
  /** Whether a section for the profile exists, and whether it holds an access key. */
  section: 'missing' | 'no-keys' | 'keys';
  /** AWS_ACCESS_KEY_ID is exported (as `ecr-workbook sandbox env` does). */
  envKeys: boolean;
  /** AWS_PROFILE, when set. */
  envProfile?: string;
}

function whatIsThere(r: ProfileReport): string {
  const where =
    r.section === 'missing'
      ? `There is no profile '${r.profile}': neither ${r.credentialsFile} nor ${r.configFile} has a section for it.`
      : `The profile '${r.profile}' has no access key (its section holds other settings only).`;
  const env = r.envKeys
    ? ` Your shell does export AWS_ACCESS_KEY_ID (\`ecr-workbook sandbox env\` sets it), but every lesson command passes --profile ${r.profile}, and the aws CLI then uses the profile, not those variables.`
    : '';
  const profileVar = r.envProfile && r.envProfile !== r.profile ? ` AWS_PROFILE is '${r.envProfile}', which --profile ${r.profile} overrides.` : '';
  return `${where}${env}${profileVar}`;
}

export const diagnoses = {
  noCredentials: (fx: CredentialFixContext, report: ProfileReport) =>
    d('no-credentials', `No AWS credentials for the profile '${fx.profile}'. ${whatIsThere(report)}`, `Store an access key in the profile '${fx.profile}', as lesson 02 does:`, storeCredentials(fx)),
  invalidCredentials: (fx: CredentialFixContext, detail: string) =>
    d(
      'invalid-credentials',
      `AWS refused the credentials of the profile '${fx.profile}': ${detail}`,
      'The access key id or secret is wrong (a typo, a deleted key, or a sandbox key from before a reset). Store the right pair:',
      storeCredentials(fx),
    ),
  expiredCredentials: (fx: CredentialFixContext, detail: string) =>
    d(
      'expired-credentials',
      `The credentials of the profile '${fx.profile}' have expired (temporary credentials from a role, SSO or a credential_process): ${detail}`,
      'Get fresh ones from where they came from (run `aws sso login`, assume the role again, or fix the credential_process), or store a long-term access key in the profile, which the aws CLI prefers:',
      storeCredentials(fx),
    ),
  accessDenied: (detail: string) => {
    const denied = deniedAction(detail);
    const what = denied ? `${denied.action}${denied.resource ? ` on ${denied.resource}` : ''}` : 'the ECR permission named above';
    return d(
      'access-denied',
      denied ? `Your IAM identity is not allowed ${denied.action}: ${detail}` : `AWS denied the call: ${detail}`,
      `Your IAM user or role needs ${what}. Ask your admin to add it: \`ecr-workbook iam-policy\` prints the least-privilege policy this course needs.`,
      'ecr-workbook iam-policy',
    );
  },
  throttled: (attempts = 1) =>
    d('throttled', `AWS is throttling requests (too many in a short time)${attempts > 1 ? `, and still was after ${attempts} tries` : ''}.`, 'Wait a few seconds and check again. If it keeps happening, something else in the account (a CI loop?) is calling ECR heavily.'),
  ssoExpired: (fx: CredentialFixContext) =>
    d(
      'sso-expired',
      `The single sign-on (IAM Identity Center) session of the profile '${fx.profile}' has expired or was never started, so the profile has no credentials.`,
      'Sign in again with `aws sso login` for the profile (on the local sandbox, which has no SSO, store its key instead: `ecr-workbook solution caller-identity` prints the commands):',
      `aws sso login --profile ${q(fx.profile)}`,
    ),
  unknownRegion: (fx: CredentialFixContext, region: string) =>
    d(
      'unknown-region',
      `'${region}' is not an AWS region, so its endpoints do not exist (a typo?). The nearest real one is ${nearestRegion(region)}.`,
      `Set a real region in your profile (and pass the same with --region, which the workbook remembers):`,
      `aws configure set region ${nearestRegion(region)} --profile ${q(fx.profile)}`,
    ),
  unreachable: (what: string, detail: string) =>
    d('unreachable', `Could not reach ${what}: ${detail}`, 'Check your network (and, for the sandbox, that it runs):', 'ecr-workbook sandbox status'),
  dockerDown: (detail: string, command?: string) => d('docker-down', detail, command ? 'Run this, then check again:' : 'Start it, then check again.', command),

  repositoryMissing: (fx: FixContext) =>
    d(
      'repository-missing',
      `There is no repository named '${fx.repositoryName}' in ${fx.region}. ECR never creates repositories on push: you create them first.`,
      'Create it as lesson 03 does (scan on push, immutable tags):',
      createRepository(fx),
    ),
  repositoryInOtherRegion: (fx: FixContext, found: string[]) =>
    d(
      'repository-in-other-region',
      `'${fx.repositoryName}' exists, but in ${found.join(', ')}, not in ${fx.region}. Repositories belong to one region, and your CLI's default region decided where it went.`,
      `Use one region throughout (--region ${fx.region} on every command). Create it in ${fx.region} as lesson 03 does; afterwards delete the stray one with \`${awsCommand(fx, `ecr delete-repository --repository-name ${q(fx.repositoryName)} --force`, found[0])}\`.`,
      createRepository(fx),
    ),
  scanOnPushWrong: (fx: FixContext, want: boolean) =>
    d(
      'scan-on-push-wrong',
      `Scan on push is ${want ? 'off' : 'on'} for '${fx.repositoryName}', and the lesson asked for it ${want ? 'on' : 'off'}.`,
      'Change it in place:',
      awsCommand(fx, `ecr put-image-scanning-configuration --repository-name ${q(fx.repositoryName)} --image-scanning-configuration scanOnPush=${want}`),
    ),
  tagMutabilityWrong: (fx: FixContext, have: string, want: string) =>
    d(
      'tag-mutability-wrong',
      `Tag mutability of '${fx.repositoryName}' is ${have}, and the lesson asked for ${want}.`,
      'Change it in place:',
      awsCommand(fx, `ecr put-image-tag-mutability --repository-name ${q(fx.repositoryName)} --image-tag-mutability ${want}`),
    ),

  notLoggedIn: (fx: FixContext) =>
    d(
      'not-logged-in',
      `${CLIENT_WORDS[fx.client].name} has no login for ${fx.registryHost}, so a push would fail with ${CLIENT_WORDS[fx.client].noLogin}.`,
      `Log in with a token for ${fx.region} (the username is exactly AWS; a ${CLIENT_WORDS[fx.client].badUser} means another username, "400 Bad Request" a token from another region).${podmanPlainHttp(fx)}`,
      loginCommand(fx),
    ),
  loggedInOtherHost: (fx: FixContext, others: string[]) =>
    d(
      'logged-in-other-host',
      `${CLIENT_WORDS[fx.client].name} is logged in to ${others.join(', ')}, but not to ${fx.registryHost}. The registry host names the account and region: a login for one does not cover another.`,
      `Log in to the right host.${podmanPlainHttp(fx)}`,
      loginCommand(fx),
    ),
  usernameNotAws: (fx: FixContext, username: string) =>
    d(
      'username-not-aws',
      `The login for ${fx.registryHost} uses the username '${username}'. ECR accepts only the username AWS, whatever your IAM user is called.`,
      'Log in again as AWS:',
      loginCommand(fx),
    ),
  tokenExpired: (fx: FixContext) =>
    d(
      'token-expired',
      `The login for ${fx.registryHost} has expired: ECR login tokens last 12 hours (less with temporary credentials).`,
      'Log in again:',
      loginCommand(fx),
    ),
  loginRejected: (fx: FixContext, detail: string) =>
    d(
      'login-rejected',
      `The registry at ${fx.registryHost} rejects the stored login (${detail}): the password is not an ECR token for this registry (another region's token, or a typed password).`,
      `Log in with a fresh token from ${fx.region}, the region of the host:`,
      loginCommand(fx),
    ),
  credentialHelperBroken: (fx: FixContext, helper: string, detail: string, where: { file: string; key: 'credsStore' | 'credHelpers' }) => {
    // The learner runs it, so the workbook itself still never writes ~/.docker; node is there (it runs the workbook).
    const edit =
      where.key === 'credsStore'
        ? 'delete c.credsStore'
        : `delete c.credHelpers[${JSON.stringify(fx.registryHost)}]`;
    const script = `const fs=require("fs"),f=process.argv[1],c=JSON.parse(fs.readFileSync(f,"utf8"));${edit};fs.writeFileSync(f,JSON.stringify(c,null,2))`;
    return d(
      'credential-helper-broken',
      `The credential helper '${helper}' that ${where.file} names (${where.key}) failed: ${detail}`,
      `Install docker-credential-${helper}, or take it out of ${where.file} so logins are stored in the file itself, and log in again:`,
      `node -e ${q(script)} ${q(where.file)} && ${loginCommand(fx)}`,
    );
  },

  imageNotBuilt: (fx: FixContext, image: string, similar: string[]) =>
    d(
      'image-not-built',
      `There is no local image '${image}'.${similar.length ? ` There is ${similar.join(', ')}: a different name or tag.` : ''}`,
      "Build it as lesson 05 does:",
      fx.solutionOf('image-built')?.join(' && ') ?? `docker build -t ${q(image)} .`,
    ),
  tagMissing: (fx: FixContext) =>
    d('tag-missing', `There is no local tag '${target(fx)}'. ${CLIENT_WORDS[fx.client].name} decides where to push from the tag's host part.`, 'Give your build its ECR name:', `docker tag ${q(fx.localImage)} ${q(target(fx))}`),
  taggedOtherHost: (fx: FixContext, found: string[]) =>
    d(
      'tagged-other-host',
      `The image is tagged ${found.join(', ')}, not '${target(fx)}': another registry host (account or region) or repository name.`,
      'Tag your build with this repository URI:',
      `docker tag ${q(fx.localImage)} ${q(target(fx))}`,
    ),
  tagPointsElsewhere: (fx: FixContext) =>
    d(
      'tag-points-elsewhere',
      `'${target(fx)}' points at a different image than '${fx.localImage}' (you rebuilt after tagging?).`,
      'Tag the current build again:',
      `docker tag ${q(fx.localImage)} ${q(target(fx))}`,
    ),
  buildGone: (fx: FixContext) =>
    d(
      'build-gone',
      `'${fx.localImage}', your build from lesson 05, is gone, so there is nothing to compare '${target(fx)}' with.`,
      'Build it again and tag it (an unchanged build comes out as the same image):',
      `${fx.solutionOf('image-built')?.join(' && ') ?? `docker build -t ${q(fx.localImage)} .`} && docker tag ${q(fx.localImage)} ${q(target(fx))}`,
    ),
  pushedToDockerHub: (fx: FixContext) =>
    d('pushed-to-docker-hub', CLIENT_WORDS[fx.client].hubPush(fx.localImage), 'Tag it with the repository URI and push that:', `docker tag ${q(fx.localImage)} ${q(target(fx))} && docker push ${q(target(fx))}`),
  notPushed: (fx: FixContext) => d('not-pushed', `The repository has no image tagged as in '${target(fx)}' yet.`, 'Push it:', `docker push ${q(target(fx))}`),
  digestMismatch: (fx: FixContext, remote: { digest: string; imageId?: string }, localId: string, mutable: boolean) =>
    d(
      'digest-mismatch',
      `The repository's ${fx.tag} (digest ${remote.digest}${remote.imageId ? `, image id ${remote.imageId}` : ''}) is another image than your local '${target(fx)}' (image id ${localId}): you rebuilt or re-tagged after pushing, or it was pushed from elsewhere.`,
      mutable
        ? `The repository is MUTABLE: push your image over the old ${fx.tag}.`
        : `The repository is IMMUTABLE, so ${fx.tag} is never overwritten: outside this course you would push the new build under a new tag (v2). Here the lessons check ${fx.tag}, so delete the old ${fx.tag} and push yours:`,
      mutable
        ? `docker push ${q(target(fx))}`
        : `${awsCommand(fx, `ecr batch-delete-image --repository-name ${q(fx.repositoryName)} --image-ids imageTag=${q(fx.tag)}`)} && docker push ${q(target(fx))}`,
    ),
  noLocalImage: (fx: FixContext) =>
    d(
      'no-local-image',
      `The repository holds ${fx.tag}, but there is no local '${target(fx)}' or '${fx.localImage}' to compare it with, so nothing proves it is your image.`,
      'Pull it (then the local image is the pushed one), or build, tag and push again:',
      `docker pull ${q(target(fx))}`,
    ),
  notPulledBack: (fx: FixContext, since: string) =>
    d(
      'not-pulled-back',
      `'${target(fx)}' has not been pulled from the registry since ${since}.`,
      'Remove the local name and pull it back from the registry:',
      `docker rmi ${q(target(fx))} && docker pull ${q(target(fx))}`,
    ),
  repositoryStillThere: (fx: FixContext, images: number, bytes: number) =>
    d(
      'repository-still-there',
      `'${fx.repositoryName}' still exists with ${images} image(s), ${formatSize(bytes)}: storage costs $0.10 per GB-month on AWS until it is deleted.`,
      'Delete it with its images:',
      awsCommand(fx, `ecr delete-repository --repository-name ${q(fx.repositoryName)} --force`),
    ),
  quizNotAnswered: (total: number, needed: number) =>
    d(
      'quiz-not-answered',
      `The knowledge check is not answered yet (${total} questions; ${needed} right answers pass).`,
      'Open the workbook, choose the lesson (Continue, or Choose a lesson), and answer the questions:',
      'ecr-workbook',
    ),

  // Lesson 12: lifecycle policies.
  lifecycleVersionsMissing: (name: string, missing: string[], uri: string) =>
    d(
      'lifecycle-versions-missing',
      `'${name}' has no image tagged ${missing.join(', ')}: the lesson needs six versions, v1 to v6, so the policy has older versions to expire.`,
      `Build and push each one (a label makes each build a different image): for v in 1 2 3 4 5 6; do docker build -q -t ${uri}:v$v --label version=v$v -f <assets>/demo-app/Dockerfile.offline <assets>/demo-app && docker push ${uri}:v$v; done`,
    ),
  lifecycleNoUntagged: (name: string, found: number, needed: number, uri: string) =>
    d(
      'lifecycle-no-untagged',
      `'${name}' has ${found} untagged image(s), and the lesson needs at least ${needed}. An image becomes untagged when its last tag moves to a newer push: what CI leaves behind when it pushes \`nightly\` every night.${found === 0 ? ' (In an IMMUTABLE repository tags never move: create this one MUTABLE.)' : ''}`,
      `Push a few builds under one tag: for n in 1 2 3; do docker build -q -t ${uri}:nightly --label build=$n -f <assets>/demo-app/Dockerfile.offline <assets>/demo-app && docker push ${uri}:nightly; done`,
    ),
  lifecycleNotPreviewed: (name: string) =>
    d(
      'lifecycle-not-previewed',
      `No lifecycle policy preview exists for '${name}' yet. A preview shows what a policy would expire, without deleting anything.`,
      `aws ecr start-lifecycle-policy-preview --repository-name ${name} --lifecycle-policy-text file://lifecycle-policy.json  (if ECR refuses the policy, its message says which rule is wrong: a 'tagged' rule needs tagPatternList or tagPrefixList, and an 'any' rule must have the highest rulePriority)`,
    ),
  lifecyclePreviewRunning: () =>
    d('lifecycle-preview-running', 'The preview is still running (ECR evaluates it in the background).', 'Wait a few seconds, then check again (or: aws ecr wait lifecycle-policy-preview-complete --repository-name <name>).'),
  lifecycleTaggedWithoutFilter: (detail: string) =>
    d(
      'lifecycle-tagged-without-filter',
      `ECR refused the policy: a rule with "tagStatus": "tagged" must say which tags it means, with tagPatternList or tagPrefixList. (${detail})`,
      `Add "tagPatternList": ["v*"] to that rule's selection (or "tagStatus": "any" if you really mean every image), then preview again.`,
    ),
  lifecycleAnyNotLast: (detail: string) =>
    d(
      'lifecycle-any-not-last',
      `ECR refused the policy: a rule with "tagStatus": "any" selects every image, so it must be applied last, with the highest rulePriority. (${detail})`,
      `Give the "any" rule a rulePriority larger than every other rule's (or drop it: the lesson's policy does not need one), then preview again.`,
    ),
  lifecyclePolicyRefused: (detail: string) =>
    d('lifecycle-policy-refused', `ECR refused the policy: ${detail}`, 'Fix the rule the message names in lifecycle-policy.json, then preview again.'),
  lifecycleRuleSelectsNothing: (priority: number, selection: string, tags: string[]) =>
    d(
      'lifecycle-rule-selects-nothing',
      `Rule ${priority} (${selection}) selects none of the images in the repository, so it would never do anything. The tags there are: ${tags.join(', ') || 'none'}. Prefixes and patterns are case-sensitive, and a pattern without * must match a whole tag.`,
      `Correct rule ${priority}'s selection to match the tags you mean (for versions: "tagPatternList": ["v*"]), then preview again.`,
    ),
  lifecycleExpiresNeededImage: (tag: string, priority: number) =>
    d(
      'lifecycle-expires-needed-image',
      `The policy would expire ${tag} (rule ${priority}), and ${tag} is the image lesson 13 promotes to production. "Keep the three newest" counts every version, and ${tag} is the oldest.`,
      `Add a rule before the others that selects ${tag} and keeps it: {"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPatternList": ["${tag}"], "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}, and renumber the rest. An image a higher-priority rule selects can never be expired by a lower one.`,
    ),
  lifecycleExpiresTooMuch: (images: string[], when: string) =>
    d(
      'lifecycle-expires-too-much',
      `Expired ${when}, the policy would also delete ${images.join('; ')}, which the lesson keeps (the three newest versions, v1, and every other tag).`,
      'Narrow the rule that takes them (its tagStatus, pattern or count), then preview again.',
    ),
  lifecycleKeepsTooMuch: (images: string[], when: string, cost: string) =>
    d(
      'lifecycle-keeps-too-much',
      `Expired ${when}, the policy should also delete ${images.join('; ')}, and keeps them: they go on costing ${cost}.`,
      'Check the rules: untagged images after 1 day ("sinceImagePushed", "countUnit": "days", "countNumber": 1), and the three newest versions ("imageCountMoreThan", "countNumber": 3). Then preview again.',
    ),
  lifecycleNotApplied: (name: string) =>
    d(
      'lifecycle-not-applied',
      `'${name}' has no lifecycle policy yet: a preview changes nothing, only a saved policy expires images.`,
      `aws ecr put-lifecycle-policy --repository-name ${name} --lifecycle-policy-text file://lifecycle-policy.json`,
    ),
  lifecycleNotYetExpired: (images: string[]) =>
    d(
      'lifecycle-not-yet-expired',
      `These images are still in the repository: ${images.join('; ')}. ECR applies a policy within 24 hours; the sandbox every minute, and an untagged image only once it is more than a day old.`,
      'Move the sandbox clock past the day, and apply the policy at once: ecr-workbook sandbox clock advance 2d && ecr-workbook sandbox lifecycle run',
    ),
  lifecycleNeededImageGone: (tag: string, uri: string) =>
    d(
      'lifecycle-needed-image-gone',
      `${tag} is no longer in the repository: a lifecycle rule (or a delete) removed it, and lesson 13 promotes it.`,
      `Make sure the policy keeps ${tag} (preview it), then push it again: docker push ${uri}:${tag}`,
    ),

  // Lesson 13: promotion without pulling.
  notPromoted: (name: string, from: string, to: string) =>
    d(
      'not-promoted',
      `'${name}' has no image tagged ${to} yet.`,
      `MANIFEST=$(aws ecr batch-get-image --repository-name ${name} --image-ids imageTag=${from} --output text --query 'images[].imageManifest') && aws ecr put-image --repository-name ${name} --image-tag ${to} --image-manifest "$MANIFEST"`,
    ),
  promotionSourceMissing: (name: string, from: string, uri: string) =>
    d('promotion-source-missing', `'${name}' has no image tagged ${from} to promote.`, `Push it again (docker push ${uri}:${from}), then promote it.`),
  putImageMediaType: (detail: string) =>
    d(
      'put-image-media-type',
      `ECR refused the put-image: the manifest's media type and the request's disagree, or the manifest names none. (${detail})`,
      `Leave --image-manifest-media-type out when the manifest carries its own "mediaType" (batch-get-image's do); when it carries none, pass the imageManifestMediaType that batch-get-image returned beside it. And keep the manifest's bytes as they came: --output text --query 'images[].imageManifest'.`,
    ),
  promotedTagImmutable: (name: string, to: string, from: string) =>
    d(
      'promoted-tag-immutable',
      `${to} already names another image, and '${name}' is IMMUTABLE: ECR refuses to move the tag (ImageTagAlreadyExistsException), even to an identical image.`,
      `Immutability stops a tag from moving, not from being deleted. Remove it, then promote ${from}: aws ecr batch-delete-image --repository-name ${name} --image-ids imageTag=${to}, then the put-image again.`,
    ),
  promotedOtherImage: (to: string, from: string, other: string | undefined) =>
    d(
      'promoted-other-image',
      other
        ? `${to} is the image tagged ${other}, not ${from}: the manifest you put came from another image.`
        : `${to} is an image of its own, not ${from}: the manifest's bytes changed on the way (pretty-printed, or taken from --output json), so ECR stored a new image with a new digest.`,
      `Take the manifest of ${from} exactly as ECR returns it (--image-ids imageTag=${from} --output text --query 'images[].imageManifest') and put it as ${to} again (in a MUTABLE repository the tag moves).`,
    ),
  promotedByPush: (to: string, from: string) =>
    d(
      'promoted-by-push',
      `${to} has ${from}'s digest, but it arrived through docker push: the image travelled to your machine and back. Promotion needs neither: ECR already holds every layer.`,
      `Remove the tag (aws ecr batch-delete-image --repository-name <name> --image-ids imageTag=${to}) and promote with batch-get-image and put-image.`,
    ),
  // Lesson 14: run it like ECS on Fargate.
  executionRoleMissing: (role: string) =>
    d(
      'execution-role-missing',
      `There is no IAM role named ${role}. ECS pulls a task's image with its task execution role, never with your keys.`,
      `aws iam create-role --role-name ${role} --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}', then aws iam attach-role-policy --role-name ${role} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
    ),
  executionRoleNotTrusted: (role: string, trusted: string[]) =>
    d(
      'execution-role-not-trusted',
      `The trust policy of ${role} does not let ecs-tasks.amazonaws.com assume it (it trusts ${trusted.length ? trusted.join(', ') : 'no one'}). ECS cannot take the role, so run-task answers: "ECS was unable to assume the role … Please verify that the role being passed has the proper trust relationship".`,
      `Trust the ECS tasks service: aws iam update-assume-role-policy --role-name ${role} --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'`,
    ),
  executionRoleCannotPull: (role: string, detail: string) =>
    d(
      'execution-role-cannot-pull',
      `${role} may not pull the image, so a task that uses it stops before it starts: ${detail}`,
      `Give the role ECR's pull permissions: aws iam attach-role-policy --role-name ${role} --policy-arn arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy (ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:GetDownloadUrlForLayer, ecr:BatchGetImage), then run the task again.`,
    ),
  taskDefinitionMissing: (family: string) =>
    d(
      'task-definition-missing',
      `There is no active task definition in the family ${family}.`,
      `Register one: aws ecs register-task-definition --family ${family} --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 --execution-role-arn <role arn> --container-definitions <the container, as the lesson shows>`,
    ),
  taskDefinitionNotFargate: (family: string) =>
    d(
      'task-definition-not-fargate',
      `The latest revision of ${family} does not ask for FARGATE (requiresCompatibilities), so run-task --launch-type FARGATE answers "Task definition does not support launch_type FARGATE."`,
      `Register a new revision with --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512.`,
    ),
  executionRoleNotSet: (family: string, role: string) =>
    d(
      'execution-role-not-set',
      `The latest revision of ${family} names no execution role, so ECS has no credentials to pull the image from ECR.`,
      `Register a new revision with --execution-role-arn and the ARN of ${role} (aws iam get-role --role-name ${role} --query Role.Arn --output text).`,
    ),
  imageUriWithoutHost: (image: string, uri: string) =>
    d(
      'image-uri-without-host',
      `The task definition names the image '${image}', without the registry host. ECS, like docker, then pulls from Docker Hub, which has no such image: the task stops with CannotPullContainerError.`,
      `Register a new revision whose image is the repository URI: ${uri}`,
    ),
  imageTagNotPushed: (image: string, tags: string[]) =>
    d(
      'image-tag-not-pushed',
      `The task definition names ${image}, a tag the repository does not have (it has ${tags.length ? tags.join(', ') : 'no tags'}). The pull fails with "manifest unknown", and the task stops with CannotPullContainerError.`,
      `Push that tag first (docker push ${image}), or register a new revision that names a tag the repository has.`,
    ),
  imageOtherRepository: (image: string, uri: string) =>
    d('image-other-repository', `The task definition names ${image}, which is not in the course's repository.`, `Register a new revision whose image is ${uri}.`),
  portNotMapped: (family: string, port: number) =>
    d(
      'port-not-mapped',
      `The container definition of ${family} maps no port ${port}: ECS routes nothing to the container (a load balancer and the sandbox both find the port there), so the page cannot be reached.`,
      `Register a new revision whose container has "portMappings":[{"containerPort":${port}}], then run the new revision.`,
    ),
  clusterMissing: (cluster: string) =>
    d('cluster-missing', `There is no cluster named ${cluster}: tasks run in a cluster.`, `aws ecs create-cluster --cluster-name ${cluster}`),
  taskNotRunning: (family: string, cluster: string) =>
    d(
      'task-not-running',
      `No task of ${family} is running in ${cluster}.`,
      `Run one: aws ecs run-task --cluster ${cluster} --launch-type FARGATE --task-definition ${family} --network-configuration 'awsvpcConfiguration={subnets=[<subnet id>]}', then aws ecs wait tasks-running --cluster ${cluster} --tasks <task arn>.`,
    ),
  taskStarting: (status: string, cluster: string) =>
    d('task-starting', `The task is ${status}: ECS is still pulling its image and starting its containers.`, `Wait for it: aws ecs wait tasks-running --cluster ${cluster} --tasks <task arn>, then check again.`),
  taskImageNotRunnable: (reason: string) =>
    d(
      'task-image-not-runnable',
      `The task's container could not run: ${reason}. An image built FROM scratch holds only files, no program (lesson 05's offline variant).`,
      'Push an image that runs a web server: build lessons/assets/demo-app/Dockerfile (nginx) or Dockerfile.busybox (no Docker Hub needed), push it under a new tag, and register a revision that uses it.',
    ),
  taskStopped: (reason: string) =>
    d('task-stopped', `The task stopped: ${reason}`, 'Read the reason above (aws ecs describe-tasks … --query "tasks[0].[stoppedReason,containers[0].exitCode]"), fix it, and run a new task.'),
  taskImageDiffers: (running: string, pushed: string) =>
    d(
      'task-image-differs',
      `The running task's image is ${running}, not ${pushed}, the digest the repository holds for the tag now.`,
      'Stop the old task and run the task definition again: a task pulls its image once, when it starts.',
    ),
  taskNotAnswering: (address: string, detail: string) =>
    d(
      'task-not-answering',
      `The task runs, but ${address} does not answer HTTP: ${detail}`,
      'Check that the container listens on the mapped container port (port 80 for the demo app), then look at the container: docker logs <its runtimeId from describe-tasks>.',
    ),
  tasksStillRunning: (family: string, cluster: string, count: number) =>
    d(
      'tasks-still-running',
      `${count} task(s) of ${family} still run in ${cluster}. On AWS, Fargate bills every second a task runs.`,
      `aws ecs stop-task --cluster ${cluster} --task <task arn> (list them with aws ecs list-tasks --cluster ${cluster} --family ${family})`,
    ),

  // Lesson 15: push from a pipeline.
  pipelineRoleMissing: (role: string) =>
    d('pipeline-role-missing', `There is no IAM role named ${role}: the build needs a service role to run as.`, `Create it with the trust policy and inline push policy lesson 15 shows: aws iam create-role --role-name ${role} …`),
  pipelineRoleNotTrusted: (role: string, trusted: string[]) =>
    d(
      'pipeline-role-not-trusted',
      `The trust policy of ${role} does not let codebuild.amazonaws.com assume it (it trusts ${trusted.length ? trusted.join(', ') : 'no one'}), so a CodeBuild project could not use it as its service role.`,
      `aws iam update-assume-role-policy --role-name ${role} --policy-document with a statement whose Principal is {"Service":"codebuild.amazonaws.com"} (and your account's root, so ci run can stand in for CodeBuild).`,
    ),
  pipelineRoleCannotPush: (role: string, denied: string[]) =>
    d(
      'pipeline-role-cannot-push',
      `${role} may not push to the repository: ${denied.join(', ')} ${denied.length === 1 ? 'is' : 'are'} denied.`,
      `Give it ecr:GetAuthorizationToken on "*" and the push actions (ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage) on the repository's ARN, with aws iam put-role-policy.`,
    ),
  pipelineRoleTooBroad: (role: string, detail: string) =>
    d(
      'pipeline-role-too-broad',
      `${role} may do more than push to this one repository: ${detail}. A build that can push anywhere can overwrite any team's images; one that has admin rights can do anything in the account.`,
      `Least privilege: detach what grants it (aws iam list-attached-role-policies --role-name ${role}; aws iam detach-role-policy …) and keep one inline policy whose push actions name this repository's ARN only.`,
    ),
  ciNotRun: () =>
    d('ci-not-run', 'No build has run yet with ecr-workbook ci run.', 'In the folder with your buildspec.yml: ecr-workbook ci run --role codebuild-demo'),
  ciNotAsRole: (role: string, ranAs: string | undefined) =>
    d(
      'ci-not-as-role',
      ranAs ? `The last build ran as ${ranAs}, not as ${role}.` : 'The last build ran with your own credentials, not as a service role: CodeBuild never does that.',
      `ecr-workbook ci run --role ${role}`,
    ),
  ciNotGit: () =>
    d(
      'ci-not-git',
      'The last build ran in a folder that is not a git repository with a commit, so CODEBUILD_RESOLVED_SOURCE_VERSION was not set and there is no commit SHA to tag with.',
      'git init, git add ., git commit -m "demo app", then ecr-workbook ci run --role codebuild-demo again.',
    ),
  loginWrongPhase: (loginPhase: string | undefined, pushPhase: string, refusal: string) =>
    d(
      'login-wrong-phase',
      `The push in ${pushPhase} had no registry login (${refusal}): ${loginPhase ? `the login runs in ${loginPhase}, after it` : 'the buildspec never logs in'}. A build starts with no docker login, and CodeBuild runs the phases in order.`,
      'Log in in pre_build, before anything pushes: aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin <registry>',
    ),
  shaTagMissing: (sha: string, tags: string[]) =>
    d(
      'sha-tag-missing',
      `No image is tagged with the commit the build built (${sha.slice(0, 7)}…)${tags.length ? `; the build pushed ${tags.join(', ')}` : ''}. A tag that names the commit says exactly which source an image came from, and never has to move.`,
      'Tag with the commit: IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7) in pre_build, docker build -t $REPOSITORY_URI:$IMAGE_TAG . in build, docker push $REPOSITORY_URI:$IMAGE_TAG in post_build.',
    ),
  latestImmutable: (refusal: string) =>
    d(
      'latest-immutable',
      `The build pushed latest again into an IMMUTABLE repository, and ECR refused it: ${refusal}`,
      'In an immutable repository every tag is written once: push the commit-SHA tag only (drop the latest tag from the buildspec). Deployments name the SHA tag, or better the digest.',
    ),
  ciBuildFailed: (phase: string, message: string) =>
    d('ci-build-failed', `The last build FAILED in ${phase}: ${message}`, 'Read the command\'s output in the build log, fix the buildspec, commit, and run ecr-workbook ci run --role codebuild-demo again.'),
  pushedByOther: (tag: string, who: string, role: string) =>
    d(
      'pushed-by-other',
      `${tag} was pushed by ${who}, not by a session of ${role}.`,
      `Push it from the build, as the role: ecr-workbook ci run --role ${role} (in an immutable repository, commit again first: the new commit gives a new tag).`,
    ),
  courseLeftovers: (left: string[], commands: string[]) =>
    d('course-leftovers', `Still there: ${left.join('; ')}.`, commands.join(' ; ')),

  // Break-fix drills (src/drills, lessons/drills): the mistakes the drills make on purpose that no
  // lesson check meets. The drills also reuse the ones above (token-expired, credential-helper-broken,
  // pushed-to-docker-hub, not-pushed, not-logged-in).
  loginWrongRegion: (host: string, tokenRegion: string, registryRegion: string, profile: string) =>
    d(
      'login-wrong-region',
      `The login token comes from ${tokenRegion} (the profile '${profile}' says region = ${tokenRegion}), and ${host} is ${registryRegion}'s registry. A registry refuses another region's token (docker login: "400 Bad Request"), so docker stored no login.`,
      `Ask for the token in the registry's region (and set the profile's region for next time: aws configure set region ${registryRegion} --profile ${profile}):`,
      `aws ecr get-login-password --region ${q(registryRegion)} --profile ${q(profile)} | docker login --username AWS --password-stdin ${q(host)}`,
    ),
  getAuthorizationTokenDenied: (user: string, detail: string) =>
    d(
      'get-authorization-token-denied',
      `The user ${user} may not call ecr:GetAuthorizationToken (${detail}). That action is about no repository: a statement that allows it only on a repository ARN never matches it; it needs "Resource": "*".`,
      `Give ecr:GetAuthorizationToken a statement of its own with "Resource": "*" in the user's policy file, apply it with your administrator profile (aws iam put-user-policy --user-name ${user} --policy-name <name> --policy-document file://<policy.json> --profile admin), then log in and push again.`,
    ),
  pushPermissionMissing: (user: string, actions: string[]) =>
    d(
      'push-permission-missing',
      `The user ${user} is not allowed ${actions.join(', ')} on the repository. docker push needs all of ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage: a layer upload starts with InitiateLayerUpload.`,
      `Add ${actions.join(', ')} to the user's policy file (on the repository's ARN), apply it with your administrator profile (aws iam put-user-policy --user-name ${user} --policy-name <name> --policy-document file://<policy.json> --profile admin), then push again.`,
    ),
  repositoryPolicyDeny: (user: string, repo: string, actions: string[]) =>
    d(
      'repository-policy-deny',
      `The repository policy of '${repo}' explicitly denies ${user} ${actions.join(', ')}. An explicit Deny beats every Allow, whichever policy it is in: the user's own permissions cannot help.`,
      `Read the policy (aws ecr get-repository-policy --repository-name ${repo} --profile admin), take the Deny statement out of it, and set what is left: aws ecr set-repository-policy --repository-name ${repo} --policy-text file://<policy without it> --profile admin (or aws ecr delete-repository-policy when nothing else is in it). Then push again.`,
    ),
  immutableTagRepush: (repo: string, tag: string, uri: string) =>
    d(
      'immutable-tag-repush',
      `The new build is not in '${repo}': the pipeline pushes every build as '${tag}', and the repository is IMMUTABLE, so ECR refuses to move '${tag}' to another image ("tag invalid: … cannot be overwritten because the repository is immutable").`,
      'Push each build under a tag of its own (the commit id, a build number) and deploy that tag:',
      `docker tag ${q(`${uri}:${tag}`)} ${q(`${uri}:build-2`)} && docker push ${q(`${uri}:build-2`)}`,
    ),
  lifecycleExpiredDeployedTag: (tag: string, uri: string) =>
    d(
      'lifecycle-expired-deployed-tag',
      `${tag} is not in the repository: the lifecycle policy expired it, and the service still runs ${tag}, so every new task's pull fails with "manifest unknown".`,
      `Push ${tag} again from the copy you have, then change the policy so it never selects what production runs:`,
      `docker push ${q(`${uri}:${tag}`)}`,
    ),
  lifecycleWouldExpireAgain: (tag: string, priority: number, repo: string) =>
    d(
      'lifecycle-would-expire-again',
      `${tag} is back, but rule ${priority} of the lifecycle policy would expire it again as newer images arrive (the sandbox's evaluator, with a hundred more pushes and a year gone by).`,
      'Expire only what nothing runs: untagged images (or tags with a prefix of their own), with your administrator profile:',
      `aws ecr put-lifecycle-policy --repository-name ${q(repo)} --lifecycle-policy-text '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}' --profile admin`,
    ),
  repositoryUriAsName: (uri: string, name: string) =>
    d(
      'repository-uri-as-name',
      `There is no repository '${name}': the command passed the image's full URI (${uri}) as --repository-name. ECR wants the name alone, and refuses a host in it (InvalidParameterException: "must satisfy regular expression"). The URI is the registry host, a slash and the name: only docker uses the whole of it.`,
      'Create it by its name, then push again:',
      `aws ecr create-repository --repository-name ${q(name)}`,
    ),
  quizNotPassed: (correct: number, total: number, needed: number) =>
    d(
      'quiz-not-passed',
      `${correct} of ${total} answers are right; ${needed} are needed.`,
      'Re-read the explanations, then answer the questions again in the workbook (Continue, or Choose a lesson):',
      'ecr-workbook',
    ),
};

// ---------------------------------------------------------------- lessons 10 and 11: IAM

/** What the IAM fixes name: the learner's region, profile, account and repository. */
export type IamFixContext = Pick<CheckContext, 'region' | 'profile' | 'accountId' | 'repositoryName' | 'repositoryUri' | 'registryHost' | 'tag'>;

/** The read-only managed policy lesson 10 attaches. */
const READ_ONLY_ARN = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';

/** An aws command with a region and profile, as every lesson command carries them. */
function awsIn(fx: IamFixContext, args: string, profile: string = fx.profile): string {
  return `aws ${args} --region ${q(fx.region)} --profile ${q(profile)}`;
}

/** The ownership tags lesson 10 gives the users it creates (cleanup deletes only users tagged so). */
function ownershipTags(fx: IamFixContext): string {
  return `--tags Key=created-by,Value=ecr-workbook Key=ecr-workbook-learner,Value=${q(learnerOf(fx.repositoryName))}`;
}

/** `aws iam attach-user-policy` with the read-only managed policy. */
function attachReadOnly(fx: IamFixContext, user: string, profile?: string): string {
  return awsIn(fx, `iam attach-user-policy --user-name ${q(user)} --policy-arn ${READ_ONLY_ARN}`, profile);
}

/**
 * A new access key for `user`, stored in the profile of the same purpose (`ci-reader`) without the
 * secret ever on screen: create-access-key's two values go straight into `aws configure set`. A
 * user has at most two keys: `replacing` names the oldest, deleted first when both are taken.
 */
export function storeNewKeyCommand(fx: IamFixContext, user: string, profile: string, adminProfile: string = fx.profile, replacing?: string): string {
  const create = awsIn(fx, `iam create-access-key --user-name ${q(user)} --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text`, adminProfile);
  const set = (key: string, value: string) => `aws configure set ${key} ${value} --profile ${q(profile)}`;
  const makeRoom = replacing ? `${awsIn(fx, `iam delete-access-key --user-name ${q(user)} --access-key-id ${q(replacing)}`, adminProfile)} && ` : '';
  return `${makeRoom}set -- $(${create}) && ${set('aws_access_key_id', '"$1"')} && ${set('aws_secret_access_key', '"$2"')} && ${set('region', q(fx.region))}`;
}

/** docker login with a token from `profile` (the identity docker then pulls and pushes as). */
export function loginAsCommand(fx: IamFixContext, profile: string): string {
  return `${awsIn(fx, 'ecr get-login-password', profile)} | docker login --username AWS --password-stdin ${q(fx.registryHost)}`;
}

/** The repository policy lesson 11 sets: the partner account may pull, and nothing else. */
export function pullOnlyRepositoryPolicy(region: string, partnerAccount: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowPartnerPull',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partitionOf(region)}:iam::${partnerAccount}:root` },
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      },
    ],
  });
}

function setPullOnlyPolicy(fx: IamFixContext, partnerAccount: string): string {
  return awsIn(fx, `ecr set-repository-policy --repository-name ${q(fx.repositoryName)} --policy-text ${q(pullOnlyRepositoryPolicy(fx.region, partnerAccount))}`);
}

/** Where a policy a user holds lives, to name it and to change it. */
export interface PolicyPlace {
  kind: 'attached' | 'inline';
  name: string;
  arn?: string;
}

/** Takes a policy off a user: detach a managed one, delete an inline one. */
function removePolicy(fx: IamFixContext, user: string, policy: PolicyPlace, profile?: string): string {
  return policy.kind === 'inline'
    ? awsIn(fx, `iam delete-user-policy --user-name ${q(user)} --policy-name ${q(policy.name)}`, profile)
    : awsIn(fx, `iam detach-user-policy --user-name ${q(user)} --policy-arn ${q(policy.arn ?? policy.name)}`, profile);
}

/** Puts a corrected document where a policy was: the inline policy again, or a new default version. */
function replacePolicy(fx: IamFixContext, user: string, policy: PolicyPlace, document: string, profile?: string): string {
  return policy.kind === 'inline'
    ? awsIn(fx, `iam put-user-policy --user-name ${q(user)} --policy-name ${q(policy.name)} --policy-document ${q(document)}`, profile)
    : awsIn(fx, `iam create-policy-version --policy-arn ${q(policy.arn ?? policy.name)} --policy-document ${q(document)} --set-as-default`, profile);
}

const policyLabel = (policy: PolicyPlace) => (policy.kind === 'inline' ? `the inline policy '${policy.name}'` : policy.name);

export const iamDiagnoses = {
  ciUserMissing: (fx: IamFixContext, user: string, accountProfile?: string) =>
    d(
      'ci-user-missing',
      `There is no IAM user '${user}' in ${accountProfile ? `the account your profile '${accountProfile}' signs in to` : `account ${fx.accountId}`}. (IAM user names are per account, and ignore case.)`,
      'Create it, with the ownership tags, and attach the read-only managed policy:',
      `${awsIn(fx, `iam create-user --user-name ${q(user)} ${ownershipTags(fx)}`, accountProfile)} && ${attachReadOnly(fx, user, accountProfile)}`,
    ),
  policyOnWrongUser: (fx: IamFixContext, user: string, other: string, policy: PolicyPlace) =>
    d(
      'policy-on-wrong-user',
      `'${other}' holds ${policyLabel(policy)}, and '${user}', the CI user, holds nothing that lets it pull: the policy went to the wrong user.`,
      `Attach it to ${user}, and take it off ${other}:`,
      `${attachReadOnly(fx, user)} && ${removePolicy(fx, other, policy)}`,
    ),
  ciNoPolicy: (fx: IamFixContext, user: string) =>
    d(
      'ci-no-policy',
      `'${user}' exists but holds no policy, so IAM denies it everything: an IAM identity starts with no permissions at all.`,
      'Attach the read-only managed policy (login, describe, list and pull; never push or delete):',
      attachReadOnly(fx, user),
    ),
  ciPolicyTooBroad: (fx: IamFixContext, user: string, policy: PolicyPlace, actions: string[]) =>
    d(
      'ci-policy-too-broad',
      `'${user}' can push: ${policyLabel(policy)} allows ${actions.join(', ')}. The lesson asked for pull-only access: a pipeline that only deploys must never be able to overwrite an image.`,
      `Take ${policyLabel(policy)} off ${user} and attach the read-only one instead:`,
      `${removePolicy(fx, user, policy)} && ${attachReadOnly(fx, user)}`,
    ),
  policyArnOtherRegion: (fx: IamFixContext, user: string, policy: PolicyPlace, found: string, want: string, corrected: string) =>
    d(
      'policy-arn-other-region',
      `${policyLabel(policy)} grants its actions on ${found}, a repository in ${found.split(':')[3]}; yours is ${want}, in ${fx.region}. An ARN names exactly one region and one account, so that statement grants nothing on your repository.`,
      `Put the policy again with your repository's ARN:`,
      replacePolicy(fx, user, policy, corrected),
    ),
  policyArnOtherAccount: (fx: IamFixContext, user: string, policy: PolicyPlace, found: string, want: string, corrected: string) =>
    d(
      'policy-arn-other-account',
      `${policyLabel(policy)} grants its actions on ${found}, in account ${found.split(':')[4]}; your repository is ${want}, in account ${fx.accountId}. An ARN names exactly one account (a copied example keeps its 123456789012), so that statement grants nothing on your repository.`,
      `Put the policy again with your repository's ARN:`,
      replacePolicy(fx, user, policy, corrected),
    ),
  ciCannotLogin: (fx: IamFixContext, user: string) =>
    d(
      'ci-cannot-login',
      `'${user}' may not call ecr:GetAuthorizationToken, so \`aws ecr get-login-password\` fails with AccessDeniedException and docker never logs in. That action is granted on resource "*" only: a login token is for the whole registry, not one repository.`,
      'Attach the read-only managed policy, which has it (or add a statement allowing ecr:GetAuthorizationToken on "*"):',
      attachReadOnly(fx, user),
    ),
  ciCannotPull: (fx: IamFixContext, user: string, missing: string[], resource: string, options: { profile?: string; deny?: PolicyPlace } = {}) =>
    d(
      'ci-cannot-pull',
      `IAM denies '${user}' ${missing.join(', ')} (on ${resource}; a login token on "*"). A pull needs ecr:GetAuthorizationToken to log in, then ecr:BatchGetImage (the manifest) and ecr:GetDownloadUrlForLayer (the layers)${options.deny ? `; ${policyLabel(options.deny)} denies some of them, and an explicit Deny wins over every Allow` : ''}.`,
      options.deny
        ? `Take ${policyLabel(options.deny)} off ${user}, and make sure it holds the read-only managed policy:`
        : 'Attach the read-only managed policy, which allows every one of them:',
      [...(options.deny ? [removePolicy(fx, user, options.deny, options.profile)] : []), attachReadOnly(fx, user, options.profile)].join(' && '),
    ),
  partnerIdentityPolicyMissing: (fx: IamFixContext, user: string, account: string, accountProfile: string, missing: string[]) =>
    d(
      'partner-identity-policy-missing',
      `In account ${account}, '${user}' holds no policy that allows ${missing.join(', ')}. Your repository's policy is only one side: across accounts, the caller's own identity policy (in its account) must allow the actions too, and the repository policy must allow its account.`,
      `In the second account (profile ${accountProfile}), attach the read-only managed policy to ${user}:`,
      attachReadOnly(fx, user, accountProfile),
    ),

  profileMissing: (profile: string, setup: string) =>
    d('profile-missing', `There are no credentials for the profile '${profile}' in your AWS files, so \`aws --profile ${profile}\` cannot sign anything.`, `Store them in the profile:`, setup),
  profileKeyInvalid: (profile: string, detail: string, setup: string) =>
    d(
      'profile-key-invalid',
      `AWS refused the key in the profile '${profile}': ${detail} A deleted key, an Inactive one, or a typo while copying it.`,
      'Store a working key in the profile (a user has at most two keys: when both are taken, the command deletes the oldest first):',
      setup,
    ),
  profileHoldsAdminKeys: (profile: string, arn: string, user: string, setup: string) =>
    d(
      'profile-holds-admin-keys',
      `The profile '${profile}' signs in as ${arn}: your own identity, not ${user}. CI would run with all your permissions, and the read-only policy would protect nothing.`,
      `Make a key for ${user} and store it in the profile, over yours:`,
      setup,
    ),
  profileOtherUser: (profile: string, arn: string, user: string, setup: string) =>
    d('profile-other-user', `The profile '${profile}' signs in as ${arn}, not as ${user}.`, `Make a key for ${user} and store it in the profile:`, setup),
  profileOtherAccount: (profile: string, account: string, want: string, setup: string) =>
    d('profile-other-account', `The profile '${profile}' signs in to account ${account}, not ${want}.`, `Store credentials of account ${want} in the profile:`, setup),
  partnerAccountUnset: (found?: string) =>
    d(
      'partner-account-unset',
      `The workbook does not know your second account's id yet, so it cannot check the sharing${found ? ` (your profile for it signs in to ${found})` : ''}.`,
      'Tell it once (it is remembered):',
      `ecr-workbook --partner-account ${found ?? '<12-digit account id>'} check`,
    ),
  partnerProfileSameAccount: (profile: string, account: string, setup: string) =>
    d(
      'partner-profile-same-account',
      `The profile '${profile}' signs in to ${account}: your own account. Sharing across accounts needs the second account's own credentials.`,
      'Store credentials of your second account in the profile:',
      setup,
    ),

  ciNotLoggedIn: (fx: IamFixContext, user: string, profile: string) =>
    d('ci-not-logged-in', `Docker has no login for ${fx.registryHost}.`, `Log docker in as ${user}, with a token its own profile asks for:`, loginAsCommand(fx, profile)),
  dockerLoginOtherIdentity: (fx: IamFixContext, user: string, profile: string, who: string | undefined) =>
    d(
      'docker-login-other-identity',
      `Docker's login for ${fx.registryHost} belongs to ${who ?? 'an identity that may push (yours, most likely)'}, not to ${user}. A login token carries the identity that asked for it, and docker pulls and pushes as that identity.`,
      `Log in again with ${user}'s profile:`,
      loginAsCommand(fx, profile),
    ),
  loginRevoked: (fx: IamFixContext, user: string, profile: string) =>
    d(
      'login-revoked',
      `Docker's login for ${fx.registryHost} was made with an access key that has since been deleted or made Inactive (or a role session that is over), so the registry refuses it: a login is only as good as the credentials that asked for it.`,
      `Log docker in as ${user}, with its profile:`,
      loginAsCommand(fx, profile),
    ),
  ciNotPulled: (fx: IamFixContext, user: string) =>
    d('ci-not-pulled', `${user} has not pulled ${fx.repositoryUri}:${fx.tag} since its login.`, 'Pull it, as a deployment would:', `docker pull ${q(`${fx.repositoryUri}:${fx.tag}`)}`),
  ciPushNotTried: (fx: IamFixContext, user: string) =>
    d(
      'ci-push-not-tried',
      `No push by ${user} has been refused yet: the lesson wants you to read ECR's own refusal.`,
      "Try one, and read ECR's refusal (the `!` makes the refused push the command's success):",
      `docker tag ${q(`${fx.repositoryUri}:${fx.tag}`)} ${q(`${fx.repositoryUri}:ci-test`)} && ! docker push ${q(`${fx.repositoryUri}:ci-test`)}`,
    ),
  ciPullRefused: (fx: IamFixContext, user: string, message: string) => {
    const side = /resource-based policy/.test(message) ? "your repository's policy" : /identity-based policy/.test(message) ? `${user}'s own policies` : 'a policy';
    return d(
      'ci-pull-refused',
      `With docker's login, ECR refuses the pull: ${message}`,
      `The refusal names the side that is missing: ${side}. Go back to the step that sets it up and check again.`,
    );
  },

  repositoryPolicyMissing: (fx: IamFixContext, account: string) =>
    d(
      'repository-policy-missing',
      `'${fx.repositoryName}' has no repository policy, so only identities of account ${fx.accountId} can reach it (and only as far as their own policies allow).`,
      `Give it a policy that lets account ${account} pull:`,
      setPullOnlyPolicy(fx, account),
    ),
  repositoryPolicyWrongAccount: (fx: IamFixContext, found: string[], account: string) =>
    d(
      'repository-policy-wrong-account',
      `The repository policy's Principal names ${found.join(', ')}, not account ${account}: IAM matches principals exactly, so the second account gets nothing.`,
      `Set the policy again with arn:${partitionOf(fx.region)}:iam::${account}:root as the principal:`,
      setPullOnlyPolicy(fx, account),
    ),
  repositoryPolicyAllowsPush: (fx: IamFixContext, actions: string[], account: string) =>
    d(
      'repository-policy-allows-push',
      `The repository policy lets account ${account} push too: it allows ${actions.join(', ')}. The lesson shares the image for pulling; a partner that can push can overwrite what you run.`,
      'Set the policy again with the three pull actions only:',
      setPullOnlyPolicy(fx, account),
    ),
  repositoryPolicyExplicitDeny: (fx: IamFixContext, account: string, sid: string | undefined) =>
    d(
      'repository-policy-explicit-deny',
      `A Deny statement${sid ? ` ('${sid}')` : ''} in the repository policy applies to account ${account}. An explicit Deny wins over every Allow, in any policy, so no Allow can let it pull.`,
      'Remove the Deny (or narrow its condition so it leaves the second account out); the pull-only policy alone is:',
      setPullOnlyPolicy(fx, account),
    ),
  repositoryPolicyNoPull: (fx: IamFixContext, missing: string[], account: string) =>
    d(
      'repository-policy-no-pull',
      `The repository policy does not allow account ${account} ${missing.join(', ')}. A pull needs ecr:BatchGetImage (the manifest) and ecr:GetDownloadUrlForLayer (the layers); AWS's examples add ecr:BatchCheckLayerAvailability for docker's layer checks.`,
      'Set the policy with the three pull actions:',
      setPullOnlyPolicy(fx, account),
    ),

  ciUserStillThere: (fx: IamFixContext, user: string, left: { keys: string[]; policies: PolicyPlace[] }, profile?: string) => {
    const steps = [
      ...left.keys.map((key) => awsIn(fx, `iam delete-access-key --user-name ${q(user)} --access-key-id ${q(key)}`, profile)),
      ...left.policies.map((policy) => removePolicy(fx, user, policy, profile)),
      awsIn(fx, `iam delete-user --user-name ${q(user)}`, profile),
    ];
    return d(
      'ci-user-still-there',
      `'${user}' still exists, with ${left.keys.length} access key(s) and ${left.policies.length} polic${left.policies.length === 1 ? 'y' : 'ies'}. A CI user nobody uses is a standing risk: its key works until it is deleted.`,
      'IAM deletes a user only once its keys and policies are gone (otherwise DeleteConflict), so in this order:',
      steps.join(' && '),
    );
  },
};

