/**
 * The real-AWS target: the learner's credentials through the SDK's default chain (environment,
 * profile, SSO), their region, and who they are according to STS. Tests point it at a sandbox
 * through an endpoint override, so CI runs this same code without a route to AWS.
 */
import type { ResolvedTarget, TargetOptions } from './index.js';

/** Points the aws target's ECR and STS calls at another endpoint (tests: a sandbox). */
export const AWS_ENDPOINT_ENV = 'ECR_WORKBOOK_AWS_ENDPOINT';

/** Shown as the account until STS has said which it is (AWS's own docs use this name). */
export const UNKNOWN_ACCOUNT = 'aws_account_id';

export interface AwsTargetOptions extends Omit<TargetOptions, 'target'> {
  /** ECR and STS endpoint; defaults to $ECR_WORKBOOK_AWS_ENDPOINT, else AWS's own endpoints. */
  endpoint?: string;
  /** The registry host docker uses; defaults to AWS's, `<account>.dkr.ecr.<region>.amazonaws.com`. */
  registryHost?: string;
}

/** The region: --region, AWS_REGION, AWS_DEFAULT_REGION (as the CLI reads it), else the profile's. */
export async function awsRegion(options: Pick<AwsTargetOptions, 'region' | 'profile' | 'env'>): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const given = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (given) return given;
  const { STSClient } = await import('@aws-sdk/client-sts');
  const probe = new STSClient(options.profile ? { profile: options.profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/**
 * Resolves the AWS target. The account and caller come from STS GetCallerIdentity; when the
 * learner has no working credentials yet (before lesson 02), the target still resolves, with
 * `identityProblem` saying why, so lessons render and the checks diagnose. A missing or
 * impossible region, or AWS out of reach, is a TargetError that says what to do.
 */
export async function resolveAws(options: AwsTargetOptions): Promise<ResolvedTarget> {
  const { learnerChain, repositoryNameFor, TargetError } = await import('./index.js');
  const messages = await import('../aws/messages.js');
  const { looksLikeRegion } = await import('../aws/regions.js');
  const { explainAwsError, isCredentialProblem } = await import('../aws/errors.js');
  const { awsRegistryHost } = await import('../course/vars.js');
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? (env[AWS_ENDPOINT_ENV]?.trim() || undefined);

  const region = await awsRegion(options);
  if (!region) throw new TargetError(messages.noRegion);
  if (!looksLikeRegion(region)) throw new TargetError(messages.badRegionName(region));

  const credentials = await learnerChain(options.profile, env);
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  // The SDK retries throttling and network blips itself (maxAttempts) before an error reaches us.
  const sts = new STSClient({ credentials, region, maxAttempts: 3, ...(endpoint ? { endpoint } : {}) });
  let who: { Account?: string; Arn?: string } | undefined;
  let identityProblem: string | undefined;
  try {
    who = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    if (!isCredentialProblem(error)) throw new TargetError(messages.awsUnreachable(explainAwsError(error, `AWS STS in ${region}`, { profile: options.profile, env })));
    identityProblem = explainAwsError(error, 'AWS STS', { profile: options.profile, env });
  } finally {
    sts.destroy();
  }
  const accountId = who?.Account ?? UNKNOWN_ACCOUNT;
  return {
    target: 'aws',
    region,
    accountId,
    ...(who?.Arn ? { callerArn: who.Arn } : {}),
    ...(identityProblem ? { identityProblem } : {}),
    registryHost: options.registryHost ?? awsRegistryHost(accountId, region),
    repositoryName: repositoryNameFor(options),
    ...(endpoint ? { endpoint } : {}),
    profile: options.profile,
    credentials,
    learnerCredentials: credentials,
  };
}
