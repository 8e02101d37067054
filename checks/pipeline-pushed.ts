import fs from 'node:fs/promises';
import { findRepository, missingRepositoryResult, resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { listImageDetails } from '../src/check/images.js';
import { pipelineRoleScope } from '../src/check/roles.js';
import { fail, pass, type Check, type CheckResult } from '../src/check/types.js';
import { parseBuildspec, PHASES } from '../src/ci/buildspec.js';
import type { CiBuildRecord } from '../src/ci/record.js';
import type { TagArrivalsOutput } from '../src/sandbox/control-api/operations.js';

const LOGIN = /docker login|podman login|get-login-password/;
const NO_LOGIN = /no basic auth credentials|authentication required|authorization token has expired/i;
const IMMUTABLE = /tag invalid|cannot be overwritten because the (tag|repository) is immutable/i;

/** The phase (INSTALL…) whose commands log in to the registry, from the buildspec itself (a skipped phase too). */
async function loginPhase(record: CiBuildRecord): Promise<string | undefined> {
  try {
    const spec = parseBuildspec(await fs.readFile(record.buildspec, 'utf8'), record.buildspec);
    return PHASES.find((p) => spec.phases[p]?.commands.some((c) => LOGIN.test(c)))?.toUpperCase();
  } catch {
    return record.commands.find((c) => LOGIN.test(c.command))?.phase.toUpperCase();
  }
}

/** Why the last build failed, as the most specific diagnosis its commands' output proves. */
async function failedBuild(record: CiBuildRecord, evidence: string[]): Promise<CheckResult> {
  const phase = record.phases.find((p) => p.status === 'FAILED')!;
  const command = record.commands.find((c) => c.exitCode !== 0 && c.phase.toUpperCase() === phase.name);
  evidence.push(`${phase.name} FAILED: ${phase.context?.message ?? ''}`, ...(command ? [`Its output ends: ${command.output.trim().split('\n').slice(-2).join(' | ')}`] : []));
  const lines = (command?.output ?? '').split(/\r?\n/);
  const noLogin = lines.find((l) => NO_LOGIN.test(l));
  if (noLogin) return fail('the build pushed without a login', diagnoses.loginWrongPhase(await loginPhase(record), phase.name, noLogin.trim()), evidence);
  const immutable = lines.find((l) => IMMUTABLE.test(l));
  if (immutable) return fail('ECR refused a tag the repository already has', diagnoses.latestImmutable(immutable.trim()), evidence);
  return fail(`the last build FAILED in ${phase.name}`, diagnoses.ciBuildFailed(phase.name, phase.context?.message ?? 'a command failed'), evidence);
}

/**
 * Lesson 15: the last `ci run` ran as the role and succeeded, the repository holds an image
 * tagged with the commit it built, pushed by the role (the sandbox records who pushed each tag;
 * on AWS CloudTrail would, so there the build's own record says who ran it), and the role may
 * push nowhere else.
 */
const check: Check = async (ctx, params) => {
  const roleName = String(params.roleName);
  try {
    const record = await ctx.lastCiBuild?.();
    if (!record) return fail('no build has run', diagnoses.ciNotRun(), ['No build recorded by ecr-workbook ci run.']);
    const evidence = [`Last build: ${record.buildId} (#${record.buildNumber}), ${record.status}, ${record.startedAt}`, `Ran as: ${record.assumedRoleArn ?? 'your own credentials'}`];
    if (!record.assumedRoleArn || !record.assumedRoleArn.includes(`:assumed-role/${roleName}/`)) return fail(`the build did not run as ${roleName}`, diagnoses.ciNotAsRole(roleName, record.assumedRoleArn), evidence);
    if (record.status === 'FAILED') return await failedBuild(record, evidence);
    if (!record.sourceVersion) return fail('the build had no commit', diagnoses.ciNotGit(), evidence);
    const sha = record.sourceVersion;
    evidence.push(`Commit built: ${sha}`);
    const repo = await findRepository(await ctx.ecr(), ctx.repositoryName);
    if (!repo) return await missingRepositoryResult(ctx);
    const images = await listImageDetails(await ctx.ecr(), ctx.repositoryName);
    const shaTag = images.flatMap((i) => i.imageTags ?? []).find((t) => t.length >= 7 && sha.startsWith(t));
    if (!shaTag) {
      const since = Date.parse(record.startedAt);
      const pushed = images.filter((i) => (i.imagePushedAt?.getTime() ?? 0) >= since - 1000).flatMap((i) => i.imageTags ?? []);
      return fail(`no image is tagged with ${sha.slice(0, 7)}`, diagnoses.shaTagMissing(sha, pushed), evidence);
    }
    const image = images.find((i) => i.imageTags?.includes(shaTag))!;
    evidence.push(`${ctx.repositoryName}:${shaTag} = ${image.imageDigest}`);
    if (ctx.sandboxControl) {
      const { tags } = await ctx.sandboxControl.call<TagArrivalsOutput>('DescribeTagArrivals', { repositoryName: ctx.repositoryName, region: ctx.region });
      const by = tags.find((t) => t.imageTag === shaTag)?.pushedBy;
      evidence.push(`Pushed by (the sandbox's record): ${by ?? 'not recorded'}`);
      if (!by?.includes(`:assumed-role/${roleName}/`)) return fail(`${shaTag} was not pushed by ${roleName}`, diagnoses.pushedByOther(shaTag, by ?? 'someone the sandbox did not record', roleName), evidence);
    } else {
      evidence.push(`ECR keeps no record of who pushed (CloudTrail's PutImage event would): the build that ran as ${record.assumedRoleArn} is the evidence.`);
    }
    const scope = await pipelineRoleScope(ctx, roleName, repo.repositoryArn!);
    if ('failed' in scope) return { ...scope.failed, evidence: [...evidence, ...scope.failed.evidence] };
    return pass(`the pipeline pushed ${ctx.repositoryName}:${shaTag} as ${roleName}, which may push nowhere else`, [...evidence, ...scope.evidence]);
  } catch (error) {
    return resultForError(error, 'ECR', ctx);
  }
};
export default check;
