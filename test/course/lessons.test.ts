import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lessonsDir, loadCourse, type Course } from '../../src/course/load.js';
import { scoreQuiz, quizPassed } from '../../src/course/quiz.js';
import { PLACEHOLDER_PATTERN, renderLesson, renderStep, type RenderContext } from '../../src/course/render.js';
import { toTerminal } from '../../src/course/terminal.js';
import { CHECK_PARAMS, isCheckId, solutionFor, TARGETS } from '../../src/course/schema.js';
import { buildVars } from '../../src/course/vars.js';

let course: Course;
beforeAll(async () => {
  course = await loadCourse();
});

/** A context for each target, as the runner will build them. */
function contexts(assets: string): RenderContext[] {
  return [
    {
      target: 'sandbox',
      vars: buildVars({
        target: 'sandbox',
        region: 'us-east-1',
        account: '123456789012',
        registry: 'localhost:5123',
        assets,
        accessKeyId: 'AKIASANDBOXEXAMPLE',
        secretAccessKey: 'sandbox/secret+key',
      }),
      endpointUrl: 'http://localhost:5123',
    },
    { target: 'sandbox', vars: buildVars({ target: 'sandbox', region: 'us-east-1', account: '123456789012', registry: 'localhost:5123', assets, accessKeyId: 'A', secretAccessKey: 'S' }) },
    { target: 'aws', vars: buildVars({ target: 'aws', region: 'eu-west-1', account: '111122223333', repo: 'alice/demo-app', assets }) },
  ];
}

describe('the shipped course', () => {
  it('has the nine core lessons in order, then the team lessons (numbers may have gaps)', () => {
    expect(course.lessons.map((l) => `${String(l.number).padStart(2, '0')}-${l.id}`)).toEqual([
      '01-why-ecr',
      '02-configure-cli',
      '03-create-repository',
      '04-authenticate-docker',
      '05-build-image',
      '06-tag-image',
      '07-push-image',
      '08-verify',
      '09-clean-up',
      '10-pull-only-ci',
      '11-share-across-accounts',
      '12-lifecycle-policies',
      '13-promote-image',
      '14-run-on-fargate',
      '15-push-from-pipeline',
    ]);
  });

  it('names one check per step, in the order of the course', () => {
    expect(course.steps.map((s) => s.check)).toEqual([
      'knowledge-check',
      'caller-identity',
      'repository-configured',
      'docker-logged-in',
      'image-built',
      'image-tagged',
      'image-pushed',
      'image-verified',
      'repository-deleted',
      'image-pushed',
      'iam-user-pull-only',
      'profile-identity',
      'docker-login-identity',
      'iam-user-deleted',
      'profile-identity',
      'repository-shared',
      'iam-user-pull-only',
      'docker-login-identity',
      'iam-user-deleted',
      'repository-deleted',
      'lifecycle-images',
      'lifecycle-preview',
      'lifecycle-applied',
      'image-promoted',
      'repository-deleted',
      'image-pushed',
      'task-execution-role',
      'task-definition-registered',
      'task-serving',
      'tasks-stopped',
      'pipeline-role',
      'pipeline-pushed',
      'knowledge-check',
      'course-cleaned-up',
    ]);
    expect(course.steps.map((s) => s.index)).toEqual(course.steps.map((_, i) => i));
    expect(new Set(course.steps.map((s) => s.id)).size).toBe(course.steps.length);
    for (const step of course.steps) expect(isCheckId(step.check)).toBe(true);
  });

  it('asks for a private, scan-on-push, IMMUTABLE repository and the image demo-app:v1', () => {
    const [sandbox] = contexts(course.assetsDir);
    const create = course.steps.find((s) => s.check === 'repository-configured');
    expect(create?.params).toEqual({ scanOnPush: true, imageTagMutability: 'IMMUTABLE' });
    const build = course.steps.find((s) => s.check === 'image-built');
    expect(renderStep(build!, sandbox!).params).toEqual({ image: 'demo-app:v1' });
    expect(CHECK_PARAMS['image-built'].parse(renderStep(build!, sandbox!).params)).toEqual({ image: 'demo-app:v1' });
  });

  it('renders every lesson, hint and solution for both targets with no placeholder left', () => {
    for (const ctx of contexts(course.assetsDir)) {
      for (const lesson of course.lessons) {
        const md = renderLesson(lesson, ctx);
        // Only Go templates for docker (`{{.ID}}`, `{{index ...}}`) may remain.
        expect([...md.matchAll(PLACEHOLDER_PATTERN)]).toEqual([]);
        expect(md).not.toMatch(/<!--\s*\/?(sandbox|aws)\s*-->/);
        for (const step of lesson.steps) {
          const rendered = renderStep(step, ctx);
          for (const text of [rendered.title, ...rendered.hints, ...rendered.solution]) expect(text).not.toMatch(PLACEHOLDER_PATTERN);
        }
      }
    }
  });

  it('gives every step gentle-to-specific hints and a reference solution (the quiz is lesson 01s)', () => {
    for (const step of course.steps) {
      expect(step.hints.length).toBeGreaterThanOrEqual(2);
      for (const target of TARGETS) {
        if (step.check === 'knowledge-check') expect(solutionFor(step, target)).toEqual([]);
        else expect(solutionFor(step, target).length).toBeGreaterThan(0);
      }
    }
  });

  it('passes --region and --profile on every aws ecr/sts/iam/ecs command of a solution (region mistakes are the classic)', () => {
    // A heredoc's body is a file being written (a buildspec runs as a role, with no profile), not a command.
    const withoutHeredocs = (cmd: string) => cmd.replace(/<<'?(\w+)'?\n[\s\S]*?\n\1(\n|$)/g, '');
    for (const step of course.steps) {
      for (const target of TARGETS) {
        for (const cmd of solutionFor(step, target).map(withoutHeredocs)) {
          if (!/\baws (ecr|sts|iam|ecs|ec2)\b/.test(cmd)) continue;
          expect(cmd, `${step.id} (${target}): ${cmd}`).toMatch(/--region \{\{region\}\}/);
          // The learner's own profile, or one a lesson sets up for another identity (ci-reader, partner).
          expect(cmd, `${step.id} (${target}): ${cmd}`).toMatch(/--profile (\{\{profile\}\}|[a-z][a-z0-9-]*)(\s|$)/);
        }
      }
    }
  });

  it('ends every lesson by naming the next thing to do', () => {
    for (const lesson of course.lessons) expect(lesson.body, lesson.id).toMatch(/\n## Next\n\n\S/);
  });

  it('has a four-question knowledge check in lesson 01 that its own answers pass', () => {
    const why = course.lessons[0]!;
    expect(why.quiz).toHaveLength(4);
    const answers = why.quiz!.map((q) => q.answer);
    const score = scoreQuiz(why.quiz!, answers);
    expect(score).toEqual({ answers, correct: 4, total: 4 });
    const minCorrect = (why.steps[0]!.params as { minCorrect?: number }).minCorrect;
    expect(quizPassed(score, minCorrect)).toBe(true);
    expect(quizPassed(scoreQuiz(why.quiz!, [answers[0]!, answers[1]!]), minCorrect)).toBe(false);
  });

  it('ships the demo app, online and offline', () => {
    const app = path.join(course.assetsDir, 'demo-app');
    expect(fs.readFileSync(path.join(app, 'Dockerfile'), 'utf8')).toMatch(/^FROM nginx:alpine$/m);
    expect(fs.readFileSync(path.join(app, 'Dockerfile.offline'), 'utf8')).toMatch(/^FROM scratch$/m);
    expect(fs.readFileSync(path.join(app, 'index.html'), 'utf8')).toContain('<h1>');
    // The sandbox's reference build must not need the network.
    const build = course.steps.find((s) => s.check === 'image-built')!;
    expect(solutionFor(build, 'sandbox').join('\n')).toContain('Dockerfile.offline');
  });

  it('renders to plain terminal text', () => {
    for (const ctx of contexts(course.assetsDir)) {
      for (const lesson of course.lessons) {
        const text = toTerminal(renderLesson(lesson, ctx), { color: false });
        expect(text).not.toContain('\u001b');
        expect(text).toContain(lesson.title);
      }
    }
  });
});

describe('lessonsDir', () => {
  it('finds the lessons folder from src/course and from dist/src/course', () => {
    const dir = lessonsDir();
    expect(fs.existsSync(path.join(dir, '01-why-ecr.md'))).toBe(true);
    const root = path.dirname(dir);
    expect(lessonsDir(path.join(root, 'dist', 'src', 'course'))).toBe(dir);
    expect(lessonsDir(path.join(root, 'src', 'course'))).toBe(dir);
  });

  it('says what to do when there is no package around', () => {
    expect(() => lessonsDir(path.parse(process.cwd()).root)).toThrow(/could not find the lessons folder of ecr-workbook/);
  });
});
