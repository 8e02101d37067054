/** Pieces several checks share: AWS errors as results, and the repository lookup. */
import type { ECRClient, Repository } from '@aws-sdk/client-ecr';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DockerUnavailableError } from '../docker/cli.js';
import { storedCredential } from '../docker/config.js';
import { probeRegistryLogin } from '../docker/registry.js';
import { attemptsOf, classifyAwsError, unknownRegionIn } from './aws-errors.js';
import { diagnoses, type CredentialFixContext, type ProfileReport } from './diagnoses.js';
import { fail, unable, type CheckContext, type CheckResult, type Diagnosis } from './types.js';

/** What resultForError needs to word its fixes: the profile, lesson 02's commands, the learner's environment. */
export type ErrorContext = CredentialFixContext & { env: NodeJS.ProcessEnv };

/** The section names of an INI file (`[name]` lines), each with the keys under it. */
function iniSections(file: string): Map<string, Set<string>> {
  const sections = new Map<string, Set<string>>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return sections;
  }
  let current: Set<string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (header) {
      current = new Set();
      sections.set(header[1]!, current);
    } else {
      const key = /^\s*([A-Za-z0-9_]+)\s*=/.exec(line);
      if (key && current) current.add(key[1]!.toLowerCase());
    }
  }
  return sections;
}

/** Where the profile stands in the files the aws CLI reads (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE) and in the environment. */
export function profileReport(profile: string, env: NodeJS.ProcessEnv): ProfileReport {
  const home = env.HOME || os.homedir();
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials');
  const configFile = env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config');
  const inCredentials = iniSections(credentialsFile).get(profile);
  const inConfig = iniSections(configFile).get(profile === 'default' ? 'default' : `profile ${profile}`);
  const keys = [inCredentials, inConfig].some((s) => s?.has('aws_access_key_id'));
  return {
    profile,
    credentialsFile,
    configFile,
    section: keys ? 'keys' : inCredentials || inConfig ? 'no-keys' : 'missing',
    envKeys: !!env.AWS_ACCESS_KEY_ID,
    ...(env.AWS_PROFILE ? { envProfile: env.AWS_PROFILE } : {}),
  };
}

/**
 * The result for an error that stops a check before it saw the state: credentials the learner
 * must fix are a fail; network, throttling and a stopped docker are "could not check".
 */
export function resultForError(error: unknown, what: string, ctx: ErrorContext): CheckResult {
  if (error instanceof DockerUnavailableError) return unable('the container engine is not available', diagnoses.dockerDown(error.reason, error.command));
  const message = (error as Error)?.message ?? String(error);
  switch (classifyAwsError(error)) {
    case 'no-credentials':
      return fail('no AWS credentials', diagnoses.noCredentials(ctx, profileReport(ctx.profile, ctx.env)));
    case 'invalid-credentials':
      return fail('AWS rejected the credentials', diagnoses.invalidCredentials(ctx, message));
    case 'expired-credentials':
      return fail('the credentials have expired', diagnoses.expiredCredentials(ctx, message));
    case 'sso-expired':
      return fail('the SSO session has expired', diagnoses.ssoExpired(ctx));
    case 'access-denied':
      return fail('access denied', diagnoses.accessDenied(message));
    case 'throttled':
      return unable('throttled by AWS', diagnoses.throttled(attemptsOf(error)));
    case 'unknown-region': {
      const region = unknownRegionIn(error)!;
      return fail(`'${region}' is not an AWS region`, diagnoses.unknownRegion(ctx, region));
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
    return fail(`'${ctx.repositoryName}' is not in ${ctx.region} (it is in ${elsewhere.join(', ')})`, diagnoses.repositoryInOtherRegion(ctx, elsewhere), [
      `DescribeRepositories in ${ctx.region}: RepositoryNotFoundException`,
      ...elsewhere.map((r) => `DescribeRepositories in ${r}: found`),
    ]);
  }
  return fail(`no repository '${ctx.repositoryName}' in ${ctx.region}`, diagnoses.repositoryMissing(ctx), [
    `DescribeRepositories in ${ctx.region}: RepositoryNotFoundException`,
  ]);
}

/** Docker's stored login for the registry, when the registry takes it now; else the failing result. */
export type RegistryLoginOutcome = { ok: true; login: { username: string; secret: string }; evidence: string[] } | { ok: false; result: CheckResult };

/**
 * The login docker (or podman) stored for the course's registry host, tried with GET /v2/ as
 * docker would: the login when the registry answers 200. Otherwise the result that says why: the
 * credential helper failed, there is no login (`whenMissing` words it for the lesson), the
 * username is not AWS, the token expired, the key behind it was deleted or made Inactive
 * (`whenRevoked`, where the lesson names whose key; else a rejected login), the registry refuses
 * it, or the registry could not be asked.
 */
export async function registryLogin(
  ctx: CheckContext,
  options: { whenMissing: (otherHosts: string[], source: string) => CheckResult; whenRevoked?: () => Diagnosis },
): Promise<RegistryLoginOutcome> {
  const host = ctx.registryHost;
  const stored = await storedCredential(host, ctx);
  if (stored.kind === 'helper-error') {
    return { ok: false, result: fail('the credential helper failed', diagnoses.credentialHelperBroken(ctx, stored.helper, stored.message, stored), [`${stored.source}: ${stored.message}`]) };
  }
  if (stored.kind === 'none') return { ok: false, result: options.whenMissing(stored.otherHosts, stored.source) };
  const evidence = [`Login for ${host} stored in ${stored.source}`, `Username: ${stored.username}`];
  if (stored.username !== 'AWS') return { ok: false, result: fail(`the login uses username '${stored.username}'`, diagnoses.usernameNotAws(ctx, stored.username), evidence) };
  let probe;
  try {
    probe = await probeRegistryLogin(host, stored.username, stored.secret);
  } catch (error) {
    return { ok: false, result: resultForError(error, `the registry at ${host}`, ctx) };
  }
  const answer = `HTTP ${probe.status}${probe.code ? ` ${probe.code}` : ''}${probe.message ? `: ${probe.message}` : ''}`;
  evidence.push(`GET /v2/ with that login: ${answer}`);
  if (probe.status === 200) return { ok: true, login: { username: stored.username, secret: stored.secret }, evidence };
  const refused = probe.status === 401 || probe.status === 400 || probe.status === 403;
  const message = probe.message ?? '';
  if (probe.status === 403 && /expired/i.test(message)) return { ok: false, result: fail('the login has expired', diagnoses.tokenExpired(ctx), evidence) };
  if (probe.status === 403 && options.whenRevoked && /deleted or made Inactive|session is over/i.test(message)) {
    return { ok: false, result: fail("the login's key no longer works", options.whenRevoked(), evidence) };
  }
  if (refused) return { ok: false, result: fail('the registry rejects the login', diagnoses.loginRejected(ctx, answer), evidence) };
  return { ok: false, result: unable(`the registry answered HTTP ${probe.status}`, diagnoses.unreachable(host, `HTTP ${probe.status}`), evidence) };
}
