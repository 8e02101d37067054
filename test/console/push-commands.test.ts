import { beforeAll, describe, expect, it } from 'vitest';
import { findStep, loadCourse, type Course } from '../../src/course/load.js';
import { renderSolution } from '../../src/course/render.js';
import { buildVars } from '../../src/course/vars.js';
import {
  powerShellQuote,
  pushCommandsContext,
  renderPowerShellCommand,
  renderPushCommands,
  PUSH_STEPS,
} from '../../src/sandbox/console/push-commands.js';

/** "View push commands": the lessons' own commands, and their PowerShell form. */

const INPUT = {
  region: 'eu-west-1',
  accountId: '123456789012',
  registryHost: 'localhost:5123',
  endpoint: 'http://localhost:5123',
  repositoryName: 'team/demo-app',
};
let course: Course;

beforeAll(async () => {
  course = await loadCourse();
});

describe('renderPushCommands', () => {
  it('gives, for macOS/Linux, exactly what the lessons render for the same learner', () => {
    const commands = renderPushCommands(course, INPUT);
    const ctx = {
      target: 'sandbox' as const,
      vars: buildVars({ target: 'sandbox', region: 'eu-west-1', account: '123456789012', registry: 'localhost:5123', repo: 'team/demo-app', assets: course.assetsDir }),
      endpointUrl: 'http://localhost:5123',
    };
    expect(pushCommandsContext(course, INPUT)).toEqual(ctx);
    expect(commands.unix.map((s) => s.commands)).toEqual(PUSH_STEPS.map(({ stepId }) => renderSolution(findStep(course, stepId)!, ctx)));
    expect(commands.unix.map((s) => s.lesson.number)).toEqual([4, 5, 6, 7]);
    expect(commands.unix[0]!.commands).toEqual([
      'aws ecr --endpoint-url http://localhost:5123 get-login-password --region eu-west-1 --profile ecr-workbook | docker login --username AWS --password-stdin localhost:5123',
    ]);
    expect(commands.unix[2]!.commands).toEqual(['docker tag demo-app:v1 localhost:5123/team/demo-app:v1']);
    expect(commands.unix[3]!.commands).toEqual(['docker push localhost:5123/team/demo-app:v1']);
  });

  it('gives the same commands for PowerShell when no value needs quoting', () => {
    const commands = renderPushCommands(course, INPUT);
    expect(commands.windows.map((s) => s.commands)).toEqual(commands.unix.map((s) => s.commands));
  });

  it('quotes a whole word for PowerShell where the POSIX form quotes only the value', () => {
    const spaced = { ...course, assetsDir: "/home/o'neil/my course/assets" };
    const commands = renderPushCommands(spaced, INPUT);
    const build = (platform: 'unix' | 'windows') => commands[platform].find((s) => s.key === 'build')!.commands[0];
    expect(build('unix')).toContain(`'/home/o'\\''neil/my course/assets'/demo-app/Dockerfile.offline`);
    expect(build('windows')).toContain(`'/home/o''neil/my course/assets/demo-app/Dockerfile.offline' '/home/o''neil/my course/assets/demo-app'`);
  });

  it('fails loudly when the course no longer has a step the page shows', () => {
    const without = { ...course, steps: course.steps.filter((s) => s.id !== 'tag-image') };
    expect(() => renderPushCommands(without, INPUT)).toThrow(/no step 'tag-image'/);
  });
});

describe('renderPowerShellCommand', () => {
  const ctx = { vars: buildVars({ target: 'sandbox', region: 'us-east-1', account: '1', registry: 'localhost:1', assets: 'C:\\Users\\Ada Lovelace\\assets' }) };

  it('keeps Windows paths, quotes paths with spaces whole, and adds the endpoint flag', () => {
    expect(renderPowerShellCommand('docker build -t {{image}} {{assets}}/demo-app', ctx)).toBe(
      "docker build -t demo-app:v1 'C:\\Users\\Ada Lovelace\\assets/demo-app'",
    );
    expect(renderPowerShellCommand('aws ecr describe-images --repository-name {{repo}}', { ...ctx, endpointUrl: 'http://localhost:1' })).toBe(
      'aws ecr --endpoint-url http://localhost:1 describe-images --repository-name demo-app',
    );
  });

  it('turns a line-continuing backslash into a backtick, and leaves author-quoted words as written', () => {
    expect(renderPowerShellCommand('aws ecr list-images \\\n  --repository-name {{repo}}', ctx)).toBe('aws ecr list-images `\n  --repository-name demo-app');
    expect(renderPowerShellCommand('echo "{{repo}} is here"', ctx)).toBe('echo "demo-app is here"');
  });

  it('quotes only what PowerShell would misread', () => {
    expect(powerShellQuote('localhost:5123/team/demo-app:v1')).toBe('localhost:5123/team/demo-app:v1');
    expect(powerShellQuote('C:\\x\\y.txt')).toBe('C:\\x\\y.txt');
    expect(powerShellQuote('a b')).toBe("'a b'");
    expect(powerShellQuote('@splat')).toBe("'@splat'");
    expect(powerShellQuote('a,b')).toBe("'a,b'");
    expect(powerShellQuote('$(evil)')).toBe("'$(evil)'");
    expect(powerShellQuote('it’s')).toBe("'it’’s'");
  });
});
