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

  quizNotPassed: (correct: number, total: number, needed: number) =>
    d('quiz-not-passed', `${correct} of ${total} answers are right; ${needed} are needed.`, 'Re-read the explanations and answer the questions again from the lesson menu.'),
};
