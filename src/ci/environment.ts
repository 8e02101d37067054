/**
 * The environment a local build runs in, as CodeBuild's build container has it: the service
 * role's temporary credentials and nothing of the learner's own (no profile, no keys, no docker
 * or podman logins), the region, the CODEBUILD_* variables and the buildspec's variables.
 */

/** Where the learner's identity could reach a build; all removed when the build runs as a role. */
const LEARNER_IDENTITY = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
];

export interface BuildEnvironmentInput {
  /** The environment `ci run` was started in. */
  base: NodeJS.ProcessEnv;
  /** The role's session; absent, the build keeps the learner's own AWS identity (CodeBuild never does). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region: string;
  /** An endpoint for the AWS APIs (the sandbox, or a test's stand-in for AWS). */
  endpoint?: string;
  /** Empty folders of the build's own: docker's config and the AWS config files. */
  dirs: { docker: string; aws: string };
  codebuild: Record<string, string>;
  variables: Record<string, string>;
}

/** The build's environment: the learner's shell minus their identity, plus the build's. */
export function buildEnvironment(input: BuildEnvironmentInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...input.base };
  if (input.credentials) {
    for (const name of LEARNER_IDENTITY) delete env[name];
    Object.assign(env, {
      AWS_ACCESS_KEY_ID: input.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: input.credentials.secretAccessKey,
      ...(input.credentials.sessionToken ? { AWS_SESSION_TOKEN: input.credentials.sessionToken } : {}),
      // Profile files of the build's own (empty): the role's keys are the only identity in it.
      AWS_CONFIG_FILE: `${input.dirs.aws}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${input.dirs.aws}/credentials`,
    });
  }
  Object.assign(env, {
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    // A build container starts with no registry logins: the buildspec logs in itself.
    DOCKER_CONFIG: input.dirs.docker,
    REGISTRY_AUTH_FILE: `${input.dirs.docker}/config.json`,
    ...(input.endpoint
      ? { AWS_ENDPOINT_URL_ECR: input.endpoint, AWS_ENDPOINT_URL_STS: input.endpoint, AWS_ENDPOINT_URL_IAM: input.endpoint, AWS_ENDPOINT_URL_ECS: input.endpoint }
      : {}),
    ...input.codebuild,
    ...input.variables,
  });
  return env;
}
