/**
 * Every diagnosis a check can give, in one place: what most likely went wrong and what to do
 * next. Ids are stable (tests and `check --json` use them).
 */
import { deniedAction } from './aws-errors.js';
import type { Diagnosis } from './types.js';

const d = (id: string, mistake: string, fix: string): Diagnosis => ({ id, mistake, fix });

export const diagnoses = {
  noCredentials: () =>
    d(
      'no-credentials',
      'No AWS credentials were found: no access key in the environment and no profile with keys.',
      'Run `aws configure --profile <name>` with your access key id and secret, then `export AWS_PROFILE=<name>` (or pass --profile).',
    ),
  invalidCredentials: (detail: string) =>
    d(
      'invalid-credentials',
      `AWS refused the credentials: ${detail}`,
      'The access key id or secret is wrong (a typo, or a deleted key). Run `aws configure` again with the right pair, then `aws sts get-caller-identity`.',
    ),
  expiredCredentials: () =>
    d(
      'expired-credentials',
      'Your credentials have expired (an SSO session or temporary role credentials).',
      'Run `aws sso login` (or refresh your temporary credentials), then check again.',
    ),
  accessDenied: (detail: string) => {
    const denied = deniedAction(detail);
    const what = denied ? `${denied.action}${denied.resource ? ` on ${denied.resource}` : ''}` : 'the ECR permission named above';
    return d(
      'access-denied',
      denied ? `Your IAM identity is not allowed ${denied.action}: ${detail}` : `AWS denied the call: ${detail}`,
      `Your IAM user or role needs ${what}. Ask your admin to add it: \`ecr-workbook iam-policy\` prints the least-privilege policy this course needs.`,
    );
  },
  throttled: (attempts = 1) =>
    d('throttled', `AWS is throttling requests (too many in a short time)${attempts > 1 ? `, and still was after ${attempts} tries` : ''}.`, 'Wait a few seconds and check again. If it keeps happening, something else in the account (a CI loop?) is calling ECR heavily.'),
  ssoExpired: () =>
    d('sso-expired', 'Your single sign-on (IAM Identity Center) session has expired or was never started, so the profile has no credentials.', 'Run `aws sso login --profile <your profile>` (the profile the lessons use), then check again.'),
  unknownRegion: (region: string) =>
    d('unknown-region', `'${region}' is not an AWS region, so its endpoints do not exist (a typo?). Region names look like us-east-1 or eu-west-2.`, 'Pass the right one with --region (for example --region us-east-1; it is remembered), and set it in your profile: `aws configure set region us-east-1 --profile <your profile>`.'),
  unreachable: (what: string, detail: string) =>
    d('unreachable', `Could not reach ${what}: ${detail}`, 'Check your network (and, for the sandbox, that `ecr-workbook sandbox status` says it is running).'),
  dockerDown: (detail: string) => d('docker-down', detail, 'Start Docker, then check again.'),

  repositoryMissing: (name: string, region: string) =>
    d(
      'repository-missing',
      `There is no repository named '${name}' in ${region}. ECR never creates repositories on push: you create them first.`,
      `Create it: aws ecr create-repository --repository-name ${name} --region ${region}`,
    ),
  repositoryInOtherRegion: (name: string, region: string, found: string[]) =>
    d(
      'repository-in-other-region',
      `'${name}' exists, but in ${found.join(', ')}, not in ${region}. Repositories belong to one region, and your CLI's default region decided where it went.`,
      `Use one region throughout: pass --region ${region} (or set AWS_REGION=${region}), and create the repository there; delete the stray one with: aws ecr delete-repository --repository-name ${name} --region ${found[0]} --force`,
    ),
  scanOnPushWrong: (name: string, want: boolean) =>
    d(
      'scan-on-push-wrong',
      `Scan on push is ${want ? 'off' : 'on'} for '${name}', and the lesson asked for it ${want ? 'on' : 'off'}.`,
      `aws ecr put-image-scanning-configuration --repository-name ${name} --image-scanning-configuration scanOnPush=${want}`,
    ),
  tagMutabilityWrong: (name: string, have: string, want: string) =>
    d(
      'tag-mutability-wrong',
      `Tag mutability of '${name}' is ${have}, and the lesson asked for ${want}.`,
      `aws ecr put-image-tag-mutability --repository-name ${name} --image-tag-mutability ${want}`,
    ),

  notLoggedIn: (host: string) =>
    d(
      'not-logged-in',
      `Docker has no login for ${host}, so a push would fail with "no basic auth credentials".`,
      `aws ecr get-login-password --region <region> | docker login --username AWS --password-stdin ${host}  (if docker login answers "401 Unauthorized", the username must be exactly AWS; "400 Bad Request" means the token is from another region than the host)`,
    ),
  loggedInOtherHost: (host: string, others: string[]) =>
    d(
      'logged-in-other-host',
      `Docker is logged in to ${others.join(', ')}, but not to ${host}. The registry host names the account and region: a login for one does not cover another.`,
      `Log in to the right host: aws ecr get-login-password | docker login --username AWS --password-stdin ${host}`,
    ),
  usernameNotAws: (host: string, username: string) =>
    d(
      'username-not-aws',
      `The login for ${host} uses the username '${username}'. ECR accepts only the username AWS, whatever your IAM user is called.`,
      `aws ecr get-login-password | docker login --username AWS --password-stdin ${host}`,
    ),
  tokenExpired: (host: string) =>
    d(
      'token-expired',
      `The login for ${host} has expired: ECR login tokens last 12 hours (less with temporary credentials).`,
      `Log in again: aws ecr get-login-password | docker login --username AWS --password-stdin ${host}`,
    ),
  loginRejected: (host: string, detail: string) =>
    d(
      'login-rejected',
      `The registry at ${host} rejects the stored login (${detail}): the password is not an ECR token for this registry (another region's token, or a typed password).`,
      `Log in with a fresh token from the same region as the host: aws ecr get-login-password --region <region> | docker login --username AWS --password-stdin ${host}`,
    ),
  credentialHelperBroken: (helper: string, detail: string) =>
    d(
      'credential-helper-broken',
      `Docker's credential helper '${helper}' failed: ${detail}`,
      `Install docker-credential-${helper}, or remove "credsStore"/"credHelpers" for this host from your docker config.json so logins are stored there.`,
    ),

  imageNotBuilt: (image: string, similar: string[]) =>
    d(
      'image-not-built',
      `There is no local image '${image}'.${similar.length ? ` There is ${similar.join(', ')}: a different name or tag.` : ''}`,
      `Build it from the lesson's folder: docker build -t ${image} .`,
    ),
  tagMissing: (target: string, source: string) =>
    d('tag-missing', `There is no local tag '${target}'. Docker decides where to push from the tag's host part.`, `docker tag ${source} ${target}`),
  taggedOtherHost: (target: string, found: string[]) =>
    d(
      'tagged-other-host',
      `The image is tagged ${found.join(', ')}, not '${target}': another registry host (account or region) or repository name.`,
      `docker tag ${found[0]} ${target}`,
    ),
  tagPointsElsewhere: (target: string, source: string) =>
    d(
      'tag-points-elsewhere',
      `'${target}' points at a different image than '${source}' (you rebuilt after tagging?).`,
      `Tag the current build again: docker tag ${source} ${target}`,
    ),
  pushedToDockerHub: (source: string, target: string) =>
    d(
      'pushed-to-docker-hub',
      `'${source}' has no registry host, so \`docker push ${source}\` goes to Docker Hub (docker.io/library/...), which refuses it: "denied: requested access to the resource is denied".`,
      `Tag it with the repository URI and push that: docker tag ${source} ${target} && docker push ${target}`,
    ),
  notPushed: (target: string) => d('not-pushed', `The repository has no image tagged as in '${target}' yet.`, `docker push ${target}`),
  digestMismatch: (target: string, remote: string, local: string) =>
    d(
      'digest-mismatch',
      `The registry's '${target}' is ${remote}, but your local image is ${local}: they are different images (rebuilt after pushing, or pushed from elsewhere).`,
      `Push your current image under a new tag (an IMMUTABLE repository will not let you overwrite the old one): docker tag ${target} <uri>:v2 && docker push <uri>:v2`,
    ),
  notPulledBack: (target: string) =>
    d('not-pulled-back', `'${target}' has not been pulled from the registry since it was pushed.`, `Remove the local copy and pull it back: docker rmi ${target} && docker pull ${target}`),
  repositoryStillThere: (name: string, images: number, bytes: number) =>
    d(
      'repository-still-there',
      `'${name}' still exists with ${images} image(s), ${(bytes / 1e6).toFixed(1)} MB: storage costs $0.10 per GB-month on AWS until it is deleted.`,
      `aws ecr delete-repository --repository-name ${name} --force`,
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
  // Break-fix drills (src/drills, lessons/drills): the mistakes the drills make on purpose that no
  // lesson check meets. The drills also reuse the ones above (token-expired, credential-helper-broken,
  // pushed-to-docker-hub, not-pushed, not-logged-in).
  loginWrongRegion: (host: string, tokenRegion: string, registryRegion: string, profile: string) =>
    d(
      'login-wrong-region',
      `The login token comes from ${tokenRegion} (the profile '${profile}' says region = ${tokenRegion}), and ${host} is ${registryRegion}'s registry. A registry refuses another region's token (docker login: "400 Bad Request"), so docker stored no login.`,
      `Ask for the token in the registry's region: aws ecr get-login-password --region ${registryRegion} | docker login --username AWS --password-stdin ${host}  (and fix the profile for next time: aws configure set region ${registryRegion} --profile ${profile})`,
    ),
  getAuthorizationTokenDenied: (user: string, detail: string) =>
    d(
      'get-authorization-token-denied',
      `The user ${user} may not call ecr:GetAuthorizationToken (${detail}). That action is about no repository: a statement that allows it only on a repository ARN never matches it; it needs "Resource": "*".`,
      `Give ecr:GetAuthorizationToken a statement of its own with "Resource": "*" and apply the policy with your administrator profile (aws iam put-user-policy --user-name ${user} --policy-name <name> --policy-document file://<policy.json> --profile admin), then log in and push again.`,
    ),
  pushPermissionMissing: (user: string, actions: string[]) =>
    d(
      'push-permission-missing',
      `The user ${user} is not allowed ${actions.join(', ')} on the repository. docker push needs all of ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage: a layer upload starts with InitiateLayerUpload.`,
      `Add ${actions.join(', ')} to the user's policy (on the repository's ARN), apply it with your administrator profile (aws iam put-user-policy --user-name ${user} --policy-name <name> --policy-document file://<policy.json> --profile admin), then push again.`,
    ),
  repositoryPolicyDeny: (user: string, repo: string, actions: string[]) =>
    d(
      'repository-policy-deny',
      `The repository policy of '${repo}' explicitly denies ${user} ${actions.join(', ')}. An explicit Deny beats every Allow, whichever policy it is in: the user's own permissions cannot help.`,
      `Read the policy (aws ecr get-repository-policy --repository-name ${repo} --profile admin), then take the Deny out: aws ecr set-repository-policy --repository-name ${repo} --policy-text file://<policy without it> --profile admin, or aws ecr delete-repository-policy --repository-name ${repo} --profile admin when nothing else is in it. Then push again.`,
    ),
  immutableTagRepush: (repo: string, tag: string, uri: string) =>
    d(
      'immutable-tag-repush',
      `The new build is not in '${repo}': the pipeline pushes every build as '${tag}', and the repository is IMMUTABLE, so ECR refuses to move '${tag}' to another image ("tag invalid: … cannot be overwritten because the repository is immutable").`,
      `Push each build under a tag of its own (the commit id, a build number) and deploy that tag: docker tag ${uri}:${tag} ${uri}:build-2 && docker push ${uri}:build-2`,
    ),
  lifecycleExpiredDeployedTag: (tag: string, uri: string) =>
    d(
      'lifecycle-expired-deployed-tag',
      `${tag} is not in the repository: the lifecycle policy expired it, and the service still runs ${tag}, so every new task's pull fails with "manifest unknown".`,
      `Push ${tag} again from the copy you have (docker push ${uri}:${tag}), and change the policy so it never selects what production runs.`,
    ),
  lifecycleWouldExpireAgain: (tag: string, priority: number) =>
    d(
      'lifecycle-would-expire-again',
      `${tag} is back, but rule ${priority} of the lifecycle policy would expire it again as newer images arrive (the sandbox's evaluator, with a hundred more pushes and a year gone by).`,
      `Expire only what nothing runs: untagged images, or tags with a prefix of their own; for example aws ecr put-lifecycle-policy --repository-name <repo> --lifecycle-policy-text '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}' --profile admin`,
    ),
  repositoryUriAsName: (uri: string, name: string) =>
    d(
      'repository-uri-as-name',
      `There is no repository '${name}': the command passed the image's full URI (${uri}) as --repository-name. ECR wants the name alone, and refuses a host in it (InvalidParameterException: "must satisfy regular expression").`,
      `aws ecr create-repository --repository-name ${name}, then push again. The URI is the registry host, a slash and the name: only docker uses the whole of it.`,
    ),
  quizNotPassed: (correct: number, total: number, needed: number) =>
    d('quiz-not-passed', `${correct} of ${total} answers are right; ${needed} are needed.`, 'Re-read the explanations and answer the questions again from the lesson menu.'),
};
