/**
 * The real error messages "what does this error mean" questions may quote, as one table: each
 * is the wording learners see from docker, the aws CLI or ECR (ecr-facts.md §6 and the sections
 * it cites), with `<…>` standing for the parts that vary (account, region, names). The bank lint
 * refuses an error question whose message matches none of them, so no question invents one.
 */
export const REAL_ERRORS: readonly { id: string; message: string; source: string }[] = [
  { id: 'login-region-mismatch', message: 'Error response from daemon: login attempt to https://<acct>.dkr.ecr.<region>.amazonaws.com/v2/ failed with status: 400 Bad Request', source: '§6 #1 (aws/aws-cli#5317)' },
  { id: 'login-not-aws-user', message: 'Error response from daemon: login attempt to https://<acct>.dkr.ecr.<region>.amazonaws.com/v2/ failed with status: 401 Unauthorized', source: '§6 #4' },
  { id: 'name-unknown', message: "name unknown: The repository with name '<name>' does not exist in the registry with id '<acct>'", source: '§6 #2, #6; §4' },
  { id: 'repository-not-found-cli', message: "An error occurred (RepositoryNotFoundException) when calling the <op> operation: The repository with name '<name>' does not exist in the registry with id '<acct>'", source: '§1 CLI error format, §2 (MOTO wording); §6 #3' },
  { id: 'no-basic-auth', message: 'no basic auth credentials', source: '§6 #3, #8' },
  { id: 'docker-hub-denied', message: 'denied: requested access to the resource is denied', source: '§6 #5' },
  { id: 'no-local-image', message: 'An image does not exist locally with the tag: <ref>', source: '§6 #5' },
  { id: 'token-expired', message: 'denied: Your authorization token has expired. Reauthenticate and try again.', source: '§6 #7, §4' },
  { id: 'creds-store-missing', message: 'Error saving credentials: error storing credentials - err: exec: "docker-credential-desktop": executable file not found in $PATH', source: '§6 #9' },
  { id: 'creds-store-missing-old-docker', message: 'Error saving credentials: error storing credentials - err: docker-credential-<helper> resolves to executable in current directory (./docker-credential-<helper>), out: ``', source: 'docker clients before 23 (Debian 12\'s docker.io 20.10; WSL with a Docker Desktop config), seen by the missing-credential-helper drill' },
  { id: 'docker-hub-unreachable', message: 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io<resolver>: no such host', source: 'docker push of a name without a registry host on a machine without DNS for Docker Hub, seen by the pushed-to-docker-hub drill' },
  { id: 'get-authorization-token-denied', message: 'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: <arn> is not authorized to perform: ecr:GetAuthorizationToken on resource: *', source: '§6 #11, §4' },
  { id: 'push-action-denied', message: 'denied: User: <arn> is not authorized to perform: ecr:<action> on resource: arn:aws:ecr:<region>:<acct>:repository/<name> because no identity-based policy allows the ecr:<action> action', source: '§6 #12, §4, §7' },
  { id: 'explicit-deny', message: 'denied: User: <arn> is not authorized to perform: ecr:<action> on resource: arn:aws:ecr:<region>:<acct>:repository/<name> with an explicit deny in <kind>-based policy', source: '§7 denial messages' },
  { id: 'uppercase-reference', message: 'invalid reference format: repository name must be lowercase', source: '§6 #13' },
  { id: 'invalid-repository-name', message: "An error occurred (InvalidParameterException) when calling the CreateRepository operation: Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '<regex>''", source: '§6 #13, §2' },
  { id: 'immutable-tag', message: "tag invalid: The image tag '<tag>' already exists in the '<name>' repository and cannot be overwritten because the repository is immutable.", source: '§6 #14, §4' },
  { id: 'repository-not-empty', message: "An error occurred (RepositoryNotEmptyException) when calling the DeleteRepository operation: The repository with name '<name>' in registry with id '<acct>' cannot be deleted because it still contains images", source: '§6 #15, §2 (MOTO wording)' },
  { id: 'repository-exists', message: "An error occurred (RepositoryAlreadyExistsException) when calling the CreateRepository operation: The repository with name '<name>' already exists in the registry with id '<acct>'", source: '§6 #16, §2' },
  { id: 'manifest-unknown', message: 'manifest for <ref> not found: manifest unknown: Requested image not found', source: '§6 #17, §4' },
  { id: 'put-image-invalid-json', message: "An error occurred (InvalidParameterException) when calling the PutImage operation: Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'", source: '§2 PutImage; aws/aws-cli#8620, aws/aws-sdk#193' },
  { id: 'image-already-exists', message: "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation: Image with digest '<digest>' and tag '<tag>' already exists in the repository with name '<name>' in registry with id '<acct>'", source: '§2 PutImage (MOTO wording)' },
  { id: 'ecs-cannot-assume-role', message: "An error occurred (ClientException) when calling the RunTask operation: ECS was unable to assume the role '<arn>' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.", source: 'ECS RunTask (aws-samples/aws-modern-application-workshop#149, terraform captures); lesson 14' },
  { id: 'ecs-cannot-pull-denied', message: "CannotPullContainerError: Error response from daemon: pull access denied for <ref>, repository does not exist or may require 'docker login': denied: User: <arn> is not authorized to perform: ecr:BatchGetImage on resource: <arn> because no identity-based policy allows the ecr:BatchGetImage action", source: 'ECS stoppedReason on the EC2 launch type (docker engine wording); lesson 14' },
  { id: 'ecs-fargate-network-mode', message: 'An error occurred (ClientException) when calling the RegisterTaskDefinition operation: Fargate only supports network mode ‘awsvpc’.', source: 'ECS RegisterTaskDefinition (terraform and CloudFormation reports); lesson 14' },
  { id: 'ecs-launch-type-unsupported', message: 'An error occurred (InvalidParameterException) when calling the <op> operation: Task definition does not support launch_type FARGATE.', source: 'ECS RunTask/UpdateService (aws/aws-cli#3983); lesson 14' },
  { id: 'get-login-removed', message: 'aws: error: argument operation: Invalid choice, valid choices are:', source: '§6 #18' },
  { id: 'get-authorization-token-denied-reason', message: 'An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: <arn> is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action', source: '§7 denial messages (the reason clause AWS adds since 2021)' },
  { id: 'resource-policy-denied', message: 'denied: User: <arn> is not authorized to perform: ecr:<action> on resource: arn:aws:ecr:<region>:<acct>:repository/<name> because no resource-based policy allows the ecr:<action> action', source: '§7 denial messages (cross-account)' },
  { id: 'delete-user-keys-conflict', message: 'An error occurred (DeleteConflict) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first.', source: 'IAM DeleteUser (LocalStack and moto captures; src/sandbox/iam/errors.ts)' },
  { id: 'access-keys-quota', message: 'An error occurred (LimitExceeded) when calling the CreateAccessKey operation: Cannot exceed quota for AccessKeysPerUser: 2', source: 'IAM CreateAccessKey (public logs of real calls; src/sandbox/iam/errors.ts)' },
];

/** A template as a pattern: `<…>` matches any text, the rest is literal. */
function pattern(template: string): RegExp {
  const parts = template.split(/<[a-z-]+>/);
  return new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}`);
}

const PATTERNS = REAL_ERRORS.map((e) => ({ id: e.id, re: pattern(e.message), exact: !e.message.endsWith(':') }));

/** The catalogue entry a quoted message is, or undefined when it is none of them. */
export function realErrorFor(message: string): string | undefined {
  const text = message.trim();
  // A message ending in ':' is quoted up to its list (`valid choices are: …`); the rest must match whole.
  return PATTERNS.find((p) => p.re.test(text) && (!p.exact || new RegExp(`${p.re.source}$`).test(text)))?.id;
}
