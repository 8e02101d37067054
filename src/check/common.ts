/** Pieces several checks share: AWS errors as results, and the repository lookup. */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr';
import { DockerUnavailableError } from '../docker/cli.js';
import { attemptsOf, classifyAwsError, unknownRegionIn } from './aws-errors.js';
import { diagnoses } from './diagnoses.js';
import { fail, unable, type CheckContext, type CheckResult } from './types.js';

/**
 * The result for an error that stops a check before it saw the state: credentials the learner
 * must fix are a fail; network, throttling and a stopped docker are "could not check".
 */
export function resultForError(error: unknown, what: string): CheckResult {
  if (error instanceof DockerUnavailableError) return unable('Docker is not available', diagnoses.dockerDown(error.reason));
  const message = (error as Error)?.message ?? String(error);
  switch (classifyAwsError(error)) {
    case 'no-credentials':
      return fail('no AWS credentials', diagnoses.noCredentials());
    case 'invalid-credentials':
      return fail('AWS rejected the credentials', diagnoses.invalidCredentials(message));
    case 'expired-credentials':
      return fail('the credentials have expired', diagnoses.expiredCredentials());
    case 'sso-expired':
      return fail('the SSO session has expired', diagnoses.ssoExpired());
    case 'access-denied':
      return fail('access denied', diagnoses.accessDenied(message));
    case 'throttled':
      return unable('throttled by AWS', diagnoses.throttled(attemptsOf(error)));
    case 'unknown-region': {
      const region = unknownRegionIn(error)!;
      return fail(`'${region}' is not an AWS region`, diagnoses.unknownRegion(region));
    }
    case 'network':
      return unable(`could not reach ${what}`, diagnoses.unreachable(what, message));
    default:
      return unable(`could not check: ${message}`, diagnoses.unreachable(what, message));
  }
}

/** The repository in a region, or undefined when it does not exist there. Other errors throw. */
export async function findRepository(client: ECRClient, name: string): Promise<Repository | undefined> {
  const { DescribeRepositoriesCommand } = await import('@aws-sdk/client-ecr');
  try {
    const out = await client.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return out.repositories?.[0];
  } catch (error) {
    if ((error as Error).name === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

/** Regions other than the lesson's where the repository exists (for the region-mix-up diagnosis). */
export async function regionsHolding(ctx: CheckContext, name: string): Promise<string[]> {
  const found = await Promise.all(
    ctx.otherRegions.map(async (region) => {
      try {
        return (await findRepository(await ctx.ecr(region), name)) ? region : undefined;
      } catch {
        return undefined; // a region the account cannot use is simply not where it is
      }
    }),
  );
  return found.filter((r): r is string => !!r);
}

/** The result when the course's repository is not in the lesson's region. */
export async function missingRepositoryResult(ctx: CheckContext): Promise<CheckResult> {
  const elsewhere = await regionsHolding(ctx, ctx.repositoryName);
  if (elsewhere.length > 0) {
    return fail(`'${ctx.repositoryName}' is not in ${ctx.region} (it is in ${elsewhere.join(', ')})`, diagnoses.repositoryInOtherRegion(ctx.repositoryName, ctx.region, elsewhere), [
      `DescribeRepositories in ${ctx.region}: RepositoryNotFoundException`,
      ...elsewhere.map((r) => `DescribeRepositories in ${r}: found`),
    ]);
  }
  return fail(`no repository '${ctx.repositoryName}' in ${ctx.region}`, diagnoses.repositoryMissing(ctx.repositoryName, ctx.region), [
    `DescribeRepositories in ${ctx.region}: RepositoryNotFoundException`,
  ]);
}
