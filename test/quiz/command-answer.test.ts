import { describe, expect, it } from 'vitest';
import { gradeCommand, readInvocation, regionOf, type CommandExpectation } from '../../src/quiz/command-answer.js';
import { needsMoreInput, parseShell } from '../../src/quiz/shell-words.js';

const words = (line: string) => {
  const parsed = parseShell(line);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.pipelines.map((p) => p.map((c) => c.words));
};

describe('parseShell: words as a POSIX shell splits them, nothing expanded', () => {
  it('splits on blanks, keeps single and double quotes as one word, and unescapes', () => {
    expect(words(`docker image inspect --format '{{index .RepoDigests 0}}' "demo app" a\\ b`)).toEqual([
      [['docker', 'image', 'inspect', '--format', '{{index .RepoDigests 0}}', 'demo app', 'a b']],
    ]);
    expect(words(`echo "say \\"hi\\" \\$HOME" 'it''s'`)).toEqual([[['echo', 'say "hi" $HOME', 'its']]]);
    expect(words(`echo ''`)).toEqual([[['echo', '']]]);
  });

  it('joins \\-continued lines, splits pipes and lists, drops comments and a pasted prompt', () => {
    expect(words('$ aws ecr get-login-password \\\n  --region eu-west-1 | docker login -u AWS --password-stdin h # log in')).toEqual([
      [
        ['aws', 'ecr', 'get-login-password', '--region', 'eu-west-1'],
        ['docker', 'login', '-u', 'AWS', '--password-stdin', 'h'],
      ],
    ]);
    expect(words('a && b; c || d\ne')).toEqual([[['a']], [['b']], [['c']], [['d']], [['e']]]);
    expect(words('a |& b')).toEqual([[['a'], ['b']]]);
  });

  it('keeps $( … ) and back-quotes whole, with pipes inside them', () => {
    expect(words('docker login -p "$(aws ecr get-login-password | cat)" h')).toEqual([[['docker', 'login', '-p', '$(aws ecr get-login-password | cat)', 'h']]]);
    expect(words('docker login -p $(aws ecr get-login-password) h')).toEqual([[['docker', 'login', '-p', '$(aws ecr get-login-password)', 'h']]]);
    expect(words('echo `date`')).toEqual([[['echo', '`date`']]]);
  });

  it('reads NAME=value before a command as its environment, and redirections apart from its words', () => {
    const parsed = parseShell('AWS_REGION=eu-west-1 "X=1" aws ecr list-images >out.json 2>&1');
    expect(parsed).toEqual({ ok: true, pipelines: [[{ env: { AWS_REGION: 'eu-west-1' }, words: ['X=1', 'aws', 'ecr', 'list-images'], redirects: ['>out.json', '2>&1'] }]] });
  });

  it('says what is wrong instead of guessing', () => {
    expect(parseShell(`echo 'open`)).toEqual({ ok: false, error: "the quote ' opened at character 6 is never closed" });
    expect(parseShell('echo "open')).toEqual({ ok: false, error: 'the quote " opened at character 6 is never closed' });
    expect(parseShell('a |')).toMatchObject({ ok: false, error: expect.stringContaining("ends with '|'") });
    expect(parseShell('| b')).toMatchObject({ ok: false });
    expect(parseShell('echo $(date')).toMatchObject({ ok: false, error: expect.stringContaining('$(') });
  });

  it('knows when a shell would ask for another line', () => {
    for (const more of ['aws ecr get-login-password \\', 'a |', 'a &&', "echo 'open", 'echo "open', 'x $(y']) expect(needsMoreInput(more), more).toBe(true);
    for (const done of ['aws ecr get-login-password', 'echo \\\\', "echo 'a|'", 'a | b']) expect(needsMoreInput(done), done).toBe(false);
  });
});

describe('readInvocation: options as each program reads them', () => {
  const read = (line: string) => {
    const parsed = parseShell(line);
    if (!parsed.ok) throw new Error(parsed.error);
    return readInvocation(parsed.pipelines[0]![0]!);
  };

  it('takes --flag=value and --flag value alike, maps docker short aliases per subcommand, and knows flags', () => {
    expect(read('docker login -u AWS --password-stdin host')).toMatchObject({ program: 'docker', positionals: ['login', 'host'], options: [{ name: '--username', values: ['AWS'] }, { name: '--password-stdin', values: [] }] });
    expect(read('docker build -f Dockerfile.offline -t demo-app:v1 .').options.map((o) => o.name)).toEqual(['--file', '--tag']);
    expect(read('docker rmi -f demo-app:v1').options).toEqual([{ name: '--force', values: [] }]);
    expect(read('docker image inspect -f x y').options).toEqual([{ name: '--format', values: ['x'] }]);
    expect(read('aws --region=eu-west-1 ecr describe-images --repository-name demo-app').options).toEqual([
      { name: '--region', values: ['eu-west-1'] },
      { name: '--repository-name', values: ['demo-app'] },
    ]);
  });

  it('reads aws list options up to the next option, and treats podman and sudo as docker users do', () => {
    expect(read('aws ecr batch-delete-image --image-ids imageTag=a imageTag=b --repository-name r').options).toEqual([
      { name: '--image-ids', values: ['imageTag=a', 'imageTag=b'] },
      { name: '--repository-name', values: ['r'] },
    ]);
    expect(read('sudo podman push x').program).toBe('docker');
    expect(read('/usr/local/bin/aws sts get-caller-identity').program).toBe('aws');
  });

  it('finds the region in --region, else AWS_REGION, else AWS_DEFAULT_REGION', () => {
    expect(regionOf(read('AWS_REGION=a AWS_DEFAULT_REGION=b aws ecr x --region c'))).toBe('c');
    expect(regionOf(read('AWS_DEFAULT_REGION=b AWS_REGION=a aws ecr x'))).toBe('a');
    expect(regionOf(read('AWS_DEFAULT_REGION=b aws ecr x'))).toBe('b');
    expect(regionOf(read('aws ecr x'))).toBeUndefined();
  });
});

describe('gradeCommand: meaning, not spelling', () => {
  const login: CommandExpectation = {
    commands: [
      { run: 'aws ecr get-login-password' },
      { run: 'docker login', options: { '--username': 'AWS', '--password-stdin': true }, args: [{ host: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' }] },
    ],
    region: 'eu-west-1',
  };

  it('accepts the login written many right ways', () => {
    for (const answer of [
      'aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      "aws --region=eu-west-1 ecr get-login-password \\\n  | docker login --password-stdin -u AWS 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/'",
      'AWS_REGION=eu-west-1 aws ecr get-login-password --profile ecr-workbook | docker login --username=AWS --password-stdin "123456789012.dkr.ecr.eu-west-1.amazonaws.com"',
      'aws ecr get-login-password --region eu-west-1 | podman login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    ]) {
      expect(gradeCommand(login, answer), answer).toEqual({ correct: true, problems: [] });
    }
  });

  it('refuses the usual mistakes, each with the reason', () => {
    const cases: [string, RegExp][] = [
      ['aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /goes to us-east-1, but this is about eu-west-1/],
      ['aws ecr get-login-password | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /has no --region/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username admin --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /should be `AWS`, not `admin`/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username AWS 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /needs `--password-stdin`/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-2.amazonaws.com', /should be given `123456789012.dkr.ecr.eu-west-1.amazonaws.com`/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin', /needs `123456789012/],
      ['aws ecr get-login-password --region eu-west-1; docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /join them into one line with \|/],
      ['docker login -u AWS -p "$(aws ecr get-login-password --region eu-west-1)" 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /pipes 2 commands/],
      ['aws ecr get-login --region eu-west-1 | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /needs `aws ecr get-login-password` here, and yours runs `aws ecr get-login`/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin --email me 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /does not take `--email`/],
      ['aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin=yes 123456789012.dkr.ecr.eu-west-1.amazonaws.com', /is a flag/],
      ["aws ecr get-login-password --region 'eu-west-1 | docker login", /never closed/],
      ['', /There is no command/],
    ];
    for (const [answer, reason] of cases) {
      const graded = gradeCommand(login, answer);
      expect(graded.correct, answer).toBe(false);
      expect(graded.problems.join(' '), answer).toMatch(reason);
    }
  });

  it('checks structures in shorthand or JSON, a required profile, and extra arguments', () => {
    const describeImages: CommandExpectation = {
      commands: [{ run: 'aws ecr describe-images', options: { '--repository-name': 'demo-app', '--image-ids': { shorthand: { imageTag: 'v1' } } } }],
      profile: 'ci',
    };
    expect(gradeCommand(describeImages, 'aws ecr describe-images --repository-name demo-app --image-ids imageTag=v1 --profile ci').correct).toBe(true);
    expect(gradeCommand(describeImages, `AWS_PROFILE=ci aws ecr describe-images --image-ids '[{"imageTag":"v1"}]' --repository-name demo-app`).correct).toBe(true);
    expect(gradeCommand(describeImages, 'aws ecr describe-images --repository-name demo-app --image-ids imageTag=v2 --profile ci').correct).toBe(false);
    expect(gradeCommand(describeImages, 'aws ecr describe-images --repository-name demo-app --image-ids imageTag=v1,imageDigest=x --profile ci').correct).toBe(false);
    expect(gradeCommand(describeImages, 'aws ecr describe-images --repository-name demo-app --image-ids imageTag=v1').problems.join()).toMatch(/has no --profile/);
    expect(gradeCommand(describeImages, 'aws ecr describe-images --repository-name demo-app --image-ids imageTag=v1 --profile dev').problems.join()).toMatch(/uses the profile dev; this one needs ci/);
    const scan: CommandExpectation = { commands: [{ run: 'aws ecr create-repository', options: { '--repository-name': 'r', '--image-scanning-configuration': { shorthand: { scanOnPush: 'true' } } } }] };
    expect(gradeCommand(scan, 'aws ecr create-repository --repository-name r --image-scanning-configuration scanOnPush=TRUE').correct).toBe(true);
    expect(gradeCommand(scan, `aws ecr create-repository --repository-name r --image-scanning-configuration '{"scanOnPush": true}'`).correct).toBe(true);
    expect(gradeCommand(scan, 'aws ecr create-repository --repository-name r --image-scanning-configuration scanOnPush=false').correct).toBe(false);
    const push: CommandExpectation = { commands: [{ run: 'docker push', args: ['h/r:v1'] }] };
    expect(gradeCommand(push, 'docker push h/r:v1 extra').problems.join()).toMatch(/does not need `extra`/);
    expect(gradeCommand({ commands: [{ run: 'aws ecr list-images', options: { '--repository-name': { oneOf: ['a', 'b'] } } }] }, 'aws ecr list-images --repository-name b').correct).toBe(true);
  });
});
