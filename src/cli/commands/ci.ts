/** `ecr-workbook ci run`: a buildspec run as CodeBuild runs it, as a service role, on this machine. */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BuildspecError, parseBuildspec, PHASES } from '../../ci/buildspec.js';
import { agentTime, runBuild, type BuildResult } from '../../ci/build.js';
import { buildEnvironment } from '../../ci/environment.js';
import { nextBuildNumber, saveLastBuild, type CiBuildRecord } from '../../ci/record.js';
import type { STSClient } from '@aws-sdk/client-sts';
import { clientFactory, type ResolvedTarget } from '../../targets/index.js';
import { EXIT, ExitError } from '../errors.js';
import { resolveWithSpinner, session, type GlobalOptions } from './course.js';

export interface CiRunOptions extends GlobalOptions {
  role?: string;
  project?: string;
}

/** `git <args>` in a folder: its output, or undefined when git fails (not a repository, no commits). */
function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 15_000 }, (error, stdout) => resolve(error ? undefined : stdout.trim()));
  });
}

/** A CodeBuild project name from a folder's name: letters, digits, `-` and `_`, 2 to 255 of them. */
export function projectName(folder: string): string {
  const name = path.basename(folder).replace(/[^A-Za-z0-9_-]/g, '-').replace(/^-+/, '').slice(0, 255);
  return name.length >= 2 ? name : 'local-build';
}

/** The ARN a --role names: an ARN as given, or a role name in the learner's account. */
export function roleArnFor(role: string, accountId: string): string {
  return role.startsWith('arn:') ? role : `arn:aws:iam::${accountId}:role/${role}`;
}

/** STS AssumeRole with the learner's own credentials, as CodeBuild assumes a project's service role. */
async function assumeServiceRole(sts: STSClient, roleArn: string, sessionName: string) {
  const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }));
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, arn: out.AssumedRoleUser!.Arn! };
  } catch (error) {
    const message = (error as Error).message;
    throw new ExitError(
      `Could not assume the service role ${roleArn}: ${message}\nCodeBuild assumes its service role through STS, and so does ci run, with your own credentials: the role's trust policy must allow codebuild.amazonaws.com and (for ci run) your account, as lesson 15 sets it up. Check it with: aws iam get-role --role-name ${roleArn.split('/').pop()}`,
      EXIT.unable,
    );
  }
}

/** The learner's identity name, CODEBUILD_INITIATOR (the user's name, as CodeBuild sets it for a user who starts a build). */
async function initiator(resolved: ResolvedTarget, sts: STSClient): Promise<string | undefined> {
  let arn = resolved.callerArn;
  if (!arn) {
    try {
      const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    } catch {
      return undefined;
    }
  }
  return arn?.split('/').slice(1).join('/') || arn;
}

/** The summary after the log: each phase's status and duration (the console's "Phase details"), exported variables, the outcome. */
export function buildSummary(record: CiBuildRecord): string {
  const lines = ['', 'Phase details'];
  for (const phase of record.phases) {
    const detail = phase.context ? `  ${phase.context.code}: ${phase.context.message}` : phase.skippedBecause ? `  not run: ${phase.skippedBecause}` : '';
    lines.push(`  ${phase.name.padEnd(11)} ${phase.status.padEnd(9)} ${phase.status === 'SKIPPED' ? '     ' : `${phase.durationSeconds.toFixed(1).padStart(5)} s`}${detail}`);
  }
  const exported = Object.entries(record.exportedVariables);
  if (exported.length > 0) lines.push(`Exported variables: ${exported.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  lines.push(`Build ${record.buildId} (#${record.buildNumber}) ${record.status} in ${record.durationSeconds.toFixed(1)} s${record.assumedRoleArn ? `, as ${record.assumedRoleArn}` : ''}`);
  return `${lines.join('\n')}\n`;
}

/** `ci run [buildspec]`: exit 0 when the build SUCCEEDED, 1 when it FAILED, 2 when it could not run. */
export async function ciRun(buildspecArg: string | undefined, opts: CiRunOptions): Promise<void> {
  const sourceDir = process.cwd();
  const file = path.resolve(sourceDir, buildspecArg ?? 'buildspec.yml');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new ExitError(
      `There is no buildspec at ${file}. CodeBuild reads buildspec.yml at the root of the source; write one there (lesson 15 shows one), or name yours: ecr-workbook ci run path/to/buildspec.yml`,
      EXIT.unable,
    );
  }
  const shown = path.relative(sourceDir, file) || file;
  let spec;
  try {
    spec = parseBuildspec(text, shown);
  } catch (error) {
    if (error instanceof BuildspecError) throw new ExitError(`YAML_FILE_ERROR: ${error.message}`, EXIT.unable);
    throw error;
  }
  const s = await session(opts);
  const resolved = await resolveWithSpinner(s, opts);
  const stateDir = path.dirname(s.store.file);
  // The log goes to stdout, or to stderr when stdout carries the JSON result.
  const write = (t: string) => (opts.json ? process.stderr : process.stdout).write(t);
  const line = (t: string) => write(`[Container] ${agentTime(new Date())} ${t}\n`);

  // The learner's own STS (their credentials), as the target's clients make it.
  const clients = clientFactory(resolved);
  const sts = () => clients.sts();
  const project = opts.project ?? projectName(sourceDir);
  const uuid = crypto.randomUUID();
  const buildId = `${project}:${uuid}`;
  let role: Awaited<ReturnType<typeof assumeServiceRole>> | undefined;
  let roleArn: string | undefined;
  if (opts.role) {
    roleArn = roleArnFor(opts.role, resolved.accountId);
    role = await assumeServiceRole(await sts(), roleArn, `AWSCodeBuild-${uuid}`);
  } else {
    process.stderr.write('warning: no --role: this build runs with your own credentials. CodeBuild always runs a build as its project\'s service role: pass --role <role name>.\n');
  }
  const [sourceVersion, dirty, remote, who] = await Promise.all([
    git(sourceDir, ['rev-parse', 'HEAD']),
    git(sourceDir, ['status', '--porcelain']),
    git(sourceDir, ['remote', 'get-url', 'origin']),
    sts().then((client) => initiator(resolved, client)),
  ]);
  const buildNumber = await nextBuildNumber(stateDir, project);
  const account = roleArn?.split(':')[4] ?? resolved.accountId;
  const startedAt = new Date();
  const codebuild: Record<string, string> = {
    CODEBUILD_CI: 'true',
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:${resolved.region}:${account}:build/${buildId}`,
    CODEBUILD_BUILD_NUMBER: String(buildNumber),
    CODEBUILD_BUILD_SUCCEEDING: '1',
    CODEBUILD_SRC_DIR: sourceDir,
    CODEBUILD_START_TIME: String(startedAt.getTime()),
    CODEBUILD_LOG_PATH: uuid,
    ...(who ? { CODEBUILD_INITIATOR: who } : {}),
    ...(sourceVersion ? { CODEBUILD_RESOLVED_SOURCE_VERSION: sourceVersion, CODEBUILD_SOURCE_VERSION: sourceVersion } : {}),
    ...(remote ? { CODEBUILD_SOURCE_REPO_URL: remote } : {}),
  };
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'ecrwb-ci-'));
  const dirs = { docker: path.join(scratch, 'docker'), aws: path.join(scratch, 'aws') };
  await Promise.all([fs.mkdir(dirs.docker), fs.mkdir(dirs.aws)]);
  const env = buildEnvironment({
    base: process.env,
    ...(role ? { credentials: role } : {}),
    region: resolved.region,
    ...(resolved.endpoint ? { endpoint: resolved.endpoint } : {}),
    dirs,
    codebuild,
    variables: spec.variables,
  });

  line(`Running on ecr-workbook ci run: a local stand-in for AWS CodeBuild (${resolved.target === 'sandbox' ? 'the ECR sandbox' : `AWS, ${resolved.region}`})`);
  line(`Phase is DOWNLOAD_SOURCE`);
  line(`CODEBUILD_SRC_DIR=${sourceDir}`);
  line(`YAML location is ${file}`);
  if (sourceVersion) line(`Source version ${sourceVersion}${dirty ? ' (the folder has uncommitted changes: CodeBuild would build the commit without them)' : ''}`);
  else line('The folder is not a git repository with a commit: CODEBUILD_RESOLVED_SOURCE_VERSION is not set (CodeBuild sets it to the commit it builds).');
  for (const warning of spec.warnings) line(warning);
  line('Processing environment variables');
  line(role ? `Running as ${role.arn} (the service role ${roleArn}, assumed through STS)` : 'Running with your own credentials (no service role)');
  line(`Moving to directory ${sourceDir}`);
  const found = PHASES.filter((p) => spec.phases[p]);
  line(`Phases found in YAML: ${found.length}`);
  for (const p of found) line(` ${p.toUpperCase()}: ${spec.phases[p]!.commands.length} commands`);
  line('Phase complete: DOWNLOAD_SOURCE State: SUCCEEDED');
  line('Phase context status code:  Message: ');

  let result: BuildResult;
  try {
    result = await runBuild({ spec, cwd: sourceDir, env, write });
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
  const record: CiBuildRecord = {
    version: 1,
    buildId,
    buildNumber,
    project,
    startedAt: startedAt.toISOString(),
    sourceDir,
    buildspec: file,
    ...(sourceVersion ? { sourceVersion } : {}),
    region: resolved.region,
    ...(roleArn ? { roleArn } : {}),
    ...(role ? { assumedRoleArn: role.arn } : {}),
    ...result,
  };
  await saveLastBuild(stateDir, record);
  write(buildSummary(record));
  if (opts.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  process.exitCode = record.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
}
