import { describe, expect, it } from 'vitest';
import {
  colorEnabled,
  endpointUrlFor,
  insertEndpointUrl,
  parseAwsCliVersion,
  readsEndpointEnv,
  renderCommand,
  renderForClient,
  renderLesson,
  renderShellCommand,
  renderMarkdown,
  renderParams,
  renderSolution,
  renderTemplate,
  selectTarget,
  splitTargetBlocks,
  TemplateError,
  type RenderContext,
} from '../../src/course/render.js';
import { toTerminal } from '../../src/course/terminal.js';
import { loadCourse } from '../../src/course/load.js';
import { awsRegistryHost, buildVars, ciUserFor, isRepositoryName, PLACEHOLDERS, repoForLearner, type TemplateVars } from '../../src/course/vars.js';

const URL = 'http://localhost:5123';
const sandboxVars: TemplateVars = buildVars({
  target: 'sandbox',
  region: 'us-east-1',
  account: '123456789012',
  registry: 'localhost:5123',
  assets: '/opt/ecr-workbook/lessons/assets',
  accessKeyId: 'AKIAEXAMPLE',
  secretAccessKey: 'wJalr/EXAMPLE+KEY',
});
const awsVars: TemplateVars = buildVars({ target: 'aws', region: 'eu-west-1', account: '111122223333', repo: 'alice/demo-app', profile: 'course', assets: '/a' });
const sandbox: RenderContext = { target: 'sandbox', vars: sandboxVars, endpointUrl: URL };

describe('buildVars', () => {
  it('fills every placeholder, with the course defaults', () => {
    expect(sandboxVars).toEqual({
      region: 'us-east-1',
      account: '123456789012',
      registry: 'localhost:5123',
      repo: 'demo-app',
      repositoryUri: 'localhost:5123/demo-app',
      profile: 'ecr-workbook',
      tag: 'v1',
      image: 'demo-app:v1',
      assets: '/opt/ecr-workbook/lessons/assets',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'wJalr/EXAMPLE+KEY',
      learner: 'default',
      ciUser: 'ci-reader',
      partnerAccount: 'partner_account_id',
      family: 'demo-app',
    });
    expect(Object.keys(sandboxVars)).toEqual(expect.arrayContaining([...PLACEHOLDERS]));
  });

  it('derives the AWS registry host, keeps the learner prefix in the repo and not in the local image', () => {
    expect(awsVars.registry).toBe('111122223333.dkr.ecr.eu-west-1.amazonaws.com');
    expect(awsVars.repositoryUri).toBe('111122223333.dkr.ecr.eu-west-1.amazonaws.com/alice/demo-app');
    expect(awsVars.image).toBe('demo-app:v1');
    expect(awsVars.family).toBe('alice-demo-app');
    expect(awsRegistryHost('111122223333', 'cn-north-1')).toBe('111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn');
  });

  it('names the CI user per learner (IAM names are unique in an account), and the second account once it is known', () => {
    expect(awsVars.ciUser).toBe('alice-ci-reader');
    expect(ciUserFor('team/bob/demo-app')).toBe('team-bob-ci-reader');
    expect(awsVars.partnerAccount).toBe('partner_account_id');
    expect(buildVars({ target: 'aws', region: 'us-east-1', account: '1', assets: '/a', partnerAccount: '444455556666' }).partnerAccount).toBe('444455556666');
  });

  it('never carries sandbox keys to the aws target', () => {
    const vars = buildVars({ target: 'aws', region: 'us-east-1', account: '1', assets: '/a', accessKeyId: 'X', secretAccessKey: 'Y' });
    expect(vars.accessKeyId).toBeUndefined();
    expect(vars.secretAccessKey).toBeUndefined();
  });

  it('prefixes repositories per learner, and knows ECR’s name rule', () => {
    expect(repoForLearner('demo-app', 'alice')).toBe('alice/demo-app');
    expect(repoForLearner('demo-app')).toBe('demo-app');
    for (const ok of ['demo-app', 'alice/demo-app', 'a__b', 'a--b']) expect(isRepositoryName(ok), ok).toBe(true);
    for (const bad of ['Demo', 'a', 'a___b', 'a/', '-a', 'a..b']) expect(isRepositoryName(bad), bad).toBe(false);
  });
});

describe('renderTemplate', () => {
  it('replaces every placeholder, with or without inner spaces', () => {
    const text = PLACEHOLDERS.map((p) => `${p}={{${p}}}`).join(' ');
    expect(renderTemplate(text, sandboxVars)).toBe(
      'region=us-east-1 account=123456789012 registry=localhost:5123 repo=demo-app repositoryUri=localhost:5123/demo-app ' +
        'profile=ecr-workbook tag=v1 image=demo-app:v1 assets=/opt/ecr-workbook/lessons/assets learner=default ' +
        'ciUser=ci-reader partnerAccount=partner_account_id family=demo-app',
    );
    expect(renderTemplate('{{ region }}/{{repo}}', awsVars)).toBe('eu-west-1/alice/demo-app');
    expect(renderTemplate('key {{accessKeyId}}', sandboxVars)).toBe('key AKIAEXAMPLE');
  });

  it('refuses an unknown placeholder, naming it', () => {
    expect(() => renderTemplate('aws ecr --region {{regoin}}', sandboxVars)).toThrow(TemplateError);
    expect(() => renderTemplate('{{regoin}}', sandboxVars)).toThrow(
      'unknown placeholder {{regoin}} (known: region, account, registry, repo, repositoryUri, profile, tag, image, assets, learner, ciUser, partnerAccount, family)',
    );
    try {
      renderTemplate('{{nope}}', sandboxVars);
    } catch (error) {
      expect((error as TemplateError).placeholder).toBe('nope');
    }
  });

  it('refuses a sandbox-only placeholder on the aws target', () => {
    expect(() => renderTemplate('{{secretAccessKey}}', awsVars)).toThrow('placeholder {{secretAccessKey}} has no value for this target');
  });

  it('leaves docker Go templates and lone braces alone', () => {
    const text = "docker image inspect --format '{{index .RepoDigests 0}}' x; docker ps --format '{{.ID}}' {{ }} {x}";
    expect(renderTemplate(text, sandboxVars)).toBe(text);
  });

  it('shell-quotes values only when asked and only when needed', () => {
    const vars = { ...sandboxVars, assets: "/Users/Jane Doe/it's" };
    expect(renderTemplate('{{assets}}/x', vars)).toBe("/Users/Jane Doe/it's/x");
    expect(renderTemplate('{{assets}}/x {{repo}}', vars, { quote: true })).toBe(`'/Users/Jane Doe/it'\\''s'/x demo-app`);
  });
});

describe('renderCommand', () => {
  it('only templates when no endpoint url is needed', () => {
    const ctx = { vars: sandboxVars };
    expect(renderCommand('aws ecr describe-repositories --repository-names {{repo}} --region {{region}}', ctx)).toBe(
      'aws ecr describe-repositories --repository-names demo-app --region us-east-1',
    );
  });

  it('puts --endpoint-url right after aws ecr, aws sts and aws iam (the sandbox serves all three)', () => {
    expect(renderCommand('aws ecr create-repository --repository-name {{repo}}', sandbox)).toBe(
      `aws ecr --endpoint-url ${URL} create-repository --repository-name demo-app`,
    );
    expect(renderCommand('aws sts get-caller-identity --profile {{profile}}', sandbox)).toBe(
      `aws sts --endpoint-url ${URL} get-caller-identity --profile ecr-workbook`,
    );
    expect(renderCommand('set -- $(aws iam create-access-key --user-name {{ciUser}}) && aws configure set region x', sandbox)).toBe(
      `set -- $(aws iam --endpoint-url ${URL} create-access-key --user-name ci-reader) && aws configure set region x`,
    );
    // A loop's body starts a command too; a word that merely ends in "do" does not.
    expect(renderCommand('for k in $(aws iam list-access-keys); do aws iam delete-access-key --access-key-id "$k"; done; sudo aws ecr x', sandbox)).toBe(
      `for k in $(aws iam --endpoint-url ${URL} list-access-keys); do aws iam --endpoint-url ${URL} delete-access-key --access-key-id "$k"; done; sudo aws ecr x`,
    );
  });

  it('puts it after aws iam too: the sandbox serves IAM on the same endpoint (drills change policies)', () => {
    expect(renderCommand('aws iam put-user-policy --user-name ci --policy-name p --policy-document file://p.json', sandbox)).toBe(
      `aws iam --endpoint-url ${URL} put-user-policy --user-name ci --policy-name p --policy-document file://p.json`,
    );
    expect(renderMarkdown('Ask IAM: `aws iam simulate-principal-policy --policy-source-arn x`.', sandbox)).toBe(
      `Ask IAM: \`aws iam --endpoint-url ${URL} simulate-principal-policy --policy-source-arn x\`.`,
    );
  });

  it('handles the login pipe: the aws side gets the flag, docker does not', () => {
    expect(
      renderCommand('aws ecr get-login-password --region {{region}} | docker login --username AWS --password-stdin {{registry}}', sandbox),
    ).toBe(`aws ecr --endpoint-url ${URL} get-login-password --region us-east-1 | docker login --username AWS --password-stdin localhost:5123`);
  });

  it('handles continuation lines, lists of commands and command substitution', () => {
    const block = 'aws ecr get-login-password \\\n  --region {{region}} \\\n  | docker login --username AWS --password-stdin {{registry}}';
    expect(renderCommand(block, sandbox)).toBe(
      `aws ecr --endpoint-url ${URL} get-login-password \\\n  --region us-east-1 \\\n  | docker login --username AWS --password-stdin localhost:5123`,
    );
    expect(renderCommand('aws sts get-caller-identity && aws ecr list-images; echo $(aws ecr describe-repositories)', sandbox)).toBe(
      `aws sts --endpoint-url ${URL} get-caller-identity && aws ecr --endpoint-url ${URL} list-images; ` +
        `echo $(aws ecr --endpoint-url ${URL} describe-repositories)`,
    );
  });

  it('puts --endpoint-url after aws iam and aws ecs too, and in a buildspec written by a heredoc', () => {
    expect(renderCommand('aws iam create-role --role-name r && aws ecs list-tasks --cluster c', sandbox)).toBe(
      `aws iam --endpoint-url ${URL} create-role --role-name r && aws ecs --endpoint-url ${URL} list-tasks --cluster c`,
    );
    expect(renderCommand('for t in $(aws ecs list-tasks); do aws ecs stop-task --task $t; done', sandbox)).toBe(
      `for t in $(aws ecs --endpoint-url ${URL} list-tasks); do aws ecs --endpoint-url ${URL} stop-task --task $t; done`,
    );
    const heredoc = "cat > buildspec.yml <<'EOF'\nphases:\n  pre_build:\n    commands:\n      - aws ecr get-login-password | docker login --username AWS --password-stdin {{registry}}\n      - echo - aws ecr stays\nEOF";
    expect(renderCommand(heredoc, sandbox)).toBe(
      `cat > buildspec.yml <<'EOF'\nphases:\n  pre_build:\n    commands:\n      - aws ecr --endpoint-url ${URL} get-login-password | docker login --username AWS --password-stdin localhost:5123\n      - echo - aws ecr stays\nEOF`,
    );
  });

  it('leaves other services, non-aws commands and commands that already have the flag alone', () => {
    for (const cmd of [
      'aws configure set region us-east-1 --profile p',
      'aws s3 ls',
      'aws ecrpublic describe-registries',
      'docker push localhost:5123/demo-app:v1',
      'echo aws ecr is great',
      'aws ecr list-images --endpoint-url http://elsewhere:1',
      'aws ecr --endpoint-url=http://elsewhere:1 list-images \\\n  --repository-name x',
    ]) {
      expect(renderCommand(cmd, sandbox), cmd).toBe(cmd);
    }
  });

  it('quotes an endpoint url that needs it', () => {
    expect(insertEndpointUrl('aws ecr list-images', 'http://host:1/a b')).toBe("aws ecr --endpoint-url 'http://host:1/a b' list-images");
  });

  it('renders a per-target solution', () => {
    const step = { solution: { sandbox: ['aws sts get-caller-identity --profile {{profile}}'], aws: ['aws configure --profile {{profile}}'] } };
    expect(renderSolution(step, sandbox)).toEqual([`aws sts --endpoint-url ${URL} get-caller-identity --profile ecr-workbook`]);
    expect(renderSolution(step, { target: 'aws', vars: awsVars })).toEqual(['aws configure --profile course']);
  });

  it('templates string params, keeping other values', () => {
    expect(renderParams({ params: { image: '{{image}}', scanOnPush: true, list: ['{{tag}}'] } }, sandboxVars)).toEqual({
      image: 'demo-app:v1',
      scanOnPush: true,
      list: ['v1'],
    });
    expect(renderParams({}, sandboxVars)).toEqual({});
  });
});

describe('aws CLI versions', () => {
  it('parses aws --version output', () => {
    expect(parseAwsCliVersion('aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12 prompt/off')).toEqual({ major: 2, minor: 9, patch: 19 });
    expect(parseAwsCliVersion('aws-cli/1.45.11 Python/3.11.7 Linux/6.18 botocore/1.43.11\n')).toEqual({ major: 1, minor: 45, patch: 11 });
    expect(parseAwsCliVersion('\n  aws-cli/2.13.0 Python/3.11.4 Darwin/23.0.0 exe/x86_64')).toEqual({ major: 2, minor: 13, patch: 0 });
    expect(parseAwsCliVersion('aws-cli/2.15')).toEqual({ major: 2, minor: 15, patch: 0 });
    expect(parseAwsCliVersion('aws-cli/10.2.3')).toEqual({ major: 10, minor: 2, patch: 3 });
  });

  it('returns undefined for anything else', () => {
    for (const text of ['', 'command not found: aws', 'aws-cli/', 'aws-cli/x.y.z', 'xaws-cli/2.1.1', 'aws-cli/2']) {
      expect(parseAwsCliVersion(text), text).toBeUndefined();
    }
  });

  it('knows which versions read AWS_ENDPOINT_URL_* (v1 ≥ 1.29, v2 ≥ 2.13), comparing numbers not strings', () => {
    const cases: [string, boolean][] = [
      ['aws-cli/1.28.99', false],
      ['aws-cli/1.29.0', true],
      ['aws-cli/1.45.11', true],
      ['aws-cli/2.9.19', false],
      ['aws-cli/2.12.7', false],
      ['aws-cli/2.13.0', true],
      ['aws-cli/2.27.50', true],
      ['aws-cli/3.0.0', true],
      ['aws-cli/0.9.0', false],
    ];
    for (const [text, reads] of cases) expect(readsEndpointEnv(text), text).toBe(reads);
    expect(readsEndpointEnv({ major: 2, minor: 13, patch: 0 })).toBe(true);
    expect(readsEndpointEnv(undefined)).toBe(false);
    expect(readsEndpointEnv('garbage')).toBe(false);
  });

  it('asks for the flag only on the sandbox, and only with an old or unknown CLI', () => {
    expect(endpointUrlFor('sandbox', URL, 'aws-cli/2.9.19 Python/3')).toBe(URL);
    expect(endpointUrlFor('sandbox', URL, undefined)).toBe(URL);
    expect(endpointUrlFor('sandbox', URL, 'aws-cli/2.13.1 Python/3')).toBeUndefined();
    expect(endpointUrlFor('aws', URL, 'aws-cli/2.9.19')).toBeUndefined();
    expect(endpointUrlFor('sandbox', undefined, 'aws-cli/2.9.19')).toBeUndefined();
  });
});

describe('target blocks', () => {
  const body = ['Both.', '<!-- sandbox -->', 'Sandbox only.', '<!-- /sandbox -->', '<!-- aws -->', 'AWS only.', '<!-- /aws -->', 'Both again.'].join('\n');

  it('keeps only the blocks of the target', () => {
    expect(selectTarget(body, 'sandbox')).toBe('Both.\n\nSandbox only.\n\n\n\nBoth again.');
    expect(selectTarget(body, 'aws')).toBe('Both.\n\n\n\nAWS only.\n\nBoth again.');
  });

  it('reports unclosed, nested and stray markers with line numbers', () => {
    expect(splitTargetBlocks('a\n<!-- aws -->\nb').problems).toEqual(['line 2: <!-- aws --> is never closed with <!-- /aws -->']);
    expect(splitTargetBlocks('<!-- aws -->\n<!-- sandbox -->\n<!-- /sandbox -->', 10).problems).toEqual([
      'line 11: <!-- sandbox --> opens inside the <!-- aws --> block; close that first',
      'line 10: <!-- aws --> is never closed with <!-- /aws -->',
    ]);
    expect(splitTargetBlocks('<!-- /sandbox -->').problems).toEqual(['line 1: <!-- /sandbox --> closes a block that is not open']);
  });
});

describe('renderMarkdown and renderLesson', () => {
  it('renders shell blocks as commands, other code and prose as text', () => {
    const md = [
      'Run `aws ecr describe-repositories --region {{region}}` or read about `aws ecr get-login-password`.',
      '```sh',
      'aws ecr list-images --repository-name {{repo}}',
      '```',
      '```dockerfile',
      'FROM scratch',
      '# aws ecr list-images is not a command here',
      '```',
      '```',
      'aws sts get-caller-identity',
      '```',
    ].join('\n');
    expect(renderMarkdown(md, sandbox)).toBe(
      [
        `Run \`aws ecr --endpoint-url ${URL} describe-repositories --region us-east-1\` or read about \`aws ecr get-login-password\`.`,
        '```sh',
        `aws ecr --endpoint-url ${URL} list-images --repository-name demo-app`,
        '```',
        '```dockerfile',
        'FROM scratch',
        '# aws ecr list-images is not a command here',
        '```',
        '```',
        'aws sts get-caller-identity',
        '```',
      ].join('\n'),
    );
  });

  it('shell-quotes values in commands but not in prose', () => {
    const ctx = { vars: { ...sandboxVars, assets: '/Users/Jane Doe/assets' } };
    expect(renderMarkdown('Folder {{assets}}: `docker build {{assets}}/demo-app`\n```sh\ndocker build {{assets}}\n```', ctx)).toBe(
      "Folder /Users/Jane Doe/assets: `docker build '/Users/Jane Doe/assets'/demo-app`\n```sh\ndocker build '/Users/Jane Doe/assets'\n```",
    );
  });

  it('adds title, time and objectives, and picks the target’s blocks', () => {
    const lesson = {
      title: 'Log in to {{registry}}',
      minutes: 5,
      objectives: ['Use `{{profile}}`'],
      body: '\nIntro.\n<!-- sandbox -->\nSandbox {{accessKeyId}}.\n<!-- /sandbox -->\n<!-- aws -->\nAWS.\n<!-- /aws -->\n',
    };
    expect(renderLesson(lesson, sandbox)).toBe(
      '# Log in to localhost:5123\n\n*About 5 minutes.* By the end you can:\n\n- Use `ecr-workbook`\n\nIntro.\n\nSandbox AKIAEXAMPLE.\n',
    );
    expect(renderLesson(lesson, { target: 'aws', vars: awsVars })).toMatch(/Intro\.\n\n+AWS\.\n$/);
  });
});

describe('docker commands for a Podman learner (one render rule for every lesson, hint, solution and fix)', () => {
  const host = 'localhost:5123';
  const podman = (text: string) => renderForClient(text, 'podman', host);

  it('docker becomes podman where a command starts, and registry commands on the plain-HTTP sandbox get --tls-verify=false', () => {
    expect(podman('aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin localhost:5123')).toBe(
      'aws ecr get-login-password --region us-east-1 | podman login --tls-verify=false --username AWS --password-stdin localhost:5123',
    );
    expect(podman('docker tag demo-app:v1 localhost:5123/demo-app:v1 && docker push localhost:5123/demo-app:v1')).toBe(
      'podman tag demo-app:v1 localhost:5123/demo-app:v1 && podman push --tls-verify=false localhost:5123/demo-app:v1',
    );
    expect(podman('docker rmi localhost:5123/demo-app:v1\ndocker pull localhost:5123/demo-app:v1')).toBe(
      'podman rmi localhost:5123/demo-app:v1\npodman pull --tls-verify=false localhost:5123/demo-app:v1',
    );
    expect(podman('docker push \\\n  localhost:5123/demo-app:v1')).toBe('podman push --tls-verify=false \\\n  localhost:5123/demo-app:v1');
    expect(podman('docker build -t demo-app:v1 .; docker logout localhost:5123')).toBe('podman build -t demo-app:v1 .; podman logout localhost:5123');
    expect(podman('for v in 1 2; do docker build -t localhost:5123/x:v$v . && docker push localhost:5123/x:v$v; done')).toBe(
      'for v in 1 2; do podman build -t localhost:5123/x:v$v . && podman push --tls-verify=false localhost:5123/x:v$v; done',
    );
    expect(podman('if true; then docker pull localhost:5123/x; else docker pull localhost:5123/y; fi')).toBe(
      'if true; then podman pull --tls-verify=false localhost:5123/x; else podman pull --tls-verify=false localhost:5123/y; fi',
    );
    // A push that must be refused (lesson 10): the shell's `!` makes the refusal the command's success.
    expect(podman('docker tag localhost:5123/x:v1 localhost:5123/x:ci && ! docker push localhost:5123/x:ci')).toBe(
      'podman tag localhost:5123/x:v1 localhost:5123/x:ci && ! podman push --tls-verify=false localhost:5123/x:ci',
    );
    expect(podman('! docker push localhost:5123/x')).toBe('! podman push --tls-verify=false localhost:5123/x');
  });

  it('a registry command that names the host through a variable (a buildspec\'s env.variables, a shell assignment) gets --tls-verify=false too', () => {
    const buildspec = [
      'env:',
      '  variables:',
      '    REGISTRY: localhost:5123',
      '    REPOSITORY_URI: localhost:5123/demo-app',
      '    OTHER: 111122223333.dkr.ecr.eu-west-1.amazonaws.com',
      'phases:',
      '  pre_build:',
      '    commands:',
      '      - aws ecr get-login-password | docker login --username AWS --password-stdin $REGISTRY',
      '      - docker push ${REPOSITORY_URI}:v1',
      '      - docker push $OTHER/demo-app:v1',
      '      - docker push $REGISTRY_MIRROR/demo-app:v1',
    ].join('\n');
    const rendered = podman(buildspec).split('\n');
    expect(rendered[8]).toBe('      - aws ecr get-login-password | podman login --tls-verify=false --username AWS --password-stdin $REGISTRY');
    expect(rendered[9]).toBe('      - podman push --tls-verify=false ${REPOSITORY_URI}:v1');
    expect(rendered[10]).toBe('      - podman push $OTHER/demo-app:v1');
    expect(rendered[11]).toBe('      - podman push $REGISTRY_MIRROR/demo-app:v1');
    expect(podman('URI=localhost:5123/x; docker push "$URI:v1"')).toBe('URI=localhost:5123/x; podman push --tls-verify=false "$URI:v1"');
  });

  it('leaves real ECR hosts, words that are not commands, docker learners and already-rendered text alone', () => {
    expect(renderForClient('docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/demo-app:v1', 'podman', undefined)).toBe(
      'podman push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/demo-app:v1',
    );
    expect(podman('echo docker push localhost:5123/x; mydocker push localhost:5123/x')).toBe('echo docker push localhost:5123/x; mydocker push localhost:5123/x');
    expect(renderForClient('docker push localhost:5123/x', 'docker', host)).toBe('docker push localhost:5123/x');
    const once = podman('docker login --username AWS --password-stdin localhost:5123');
    expect(podman(once)).toBe(once);
  });

  it('finds aws commands inside loops too, for an old aws CLI', () => {
    expect(insertEndpointUrl('for r in a b; do aws ecr create-repository --repository-name $r; done', URL)).toBe(
      `for r in a b; do aws ecr --endpoint-url ${URL} create-repository --repository-name $r; done`,
    );
    expect(insertEndpointUrl('echo do not run aws ecr here', URL)).toBe('echo do not run aws ecr here');
    expect(insertEndpointUrl('! aws iam get-user --user-name gone', URL)).toBe(`! aws iam --endpoint-url ${URL} get-user --user-name gone`);
  });

  it('renders a fix the same way as a lesson: endpoint flag for an old aws CLI, then the client', () => {
    const fix = 'aws ecr get-login-password --region us-east-1 --profile ecr-workbook | docker login --username AWS --password-stdin localhost:5123';
    expect(renderShellCommand(fix, { endpointUrl: URL, client: 'podman', vars: { registry: host } })).toBe(
      `aws ecr --endpoint-url ${URL} get-login-password --region us-east-1 --profile ecr-workbook | podman login --tls-verify=false --username AWS --password-stdin localhost:5123`,
    );
  });

  it('every lesson, rendered for Podman on the sandbox, has no docker command left, and every registry command can reach it', async () => {
    const course = await loadCourse();
    const ctx: RenderContext = { target: 'sandbox', vars: sandboxVars, client: 'podman' };
    const dockerCommand = /(^|[|;&({`]|\$\(|\b(?:do|then|else)[ \t])[ \t]*docker[ \t]/m;
    for (const lesson of course.lessons) {
      const shell = [...renderLesson(lesson, ctx).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
      const inline = [...renderLesson(lesson, ctx).matchAll(/`((?:docker|podman) [^`]+)`/g)].map((m) => m[1]!);
      const solutions = lesson.steps.flatMap((step) => renderSolution(step, ctx));
      for (const command of [...shell, ...inline, ...solutions]) {
        expect(command, lesson.id).not.toMatch(dockerCommand);
        for (const m of command.matchAll(/podman (login|push|pull)( [^|;&\n]*)/g)) {
          if (m[2]!.includes('localhost:5123')) expect(m[0], lesson.id).toContain('--tls-verify=false');
        }
      }
    }
  });
});

describe('toTerminal', () => {
  const md = [
    '# Title',
    '',
    'Some **bold**, *em*, `code` and a [link](https://aws.amazon.com/ecr/pricing).',
    '',
    '- item with `aws ecr list-images` inside',
    '',
    '> **Why?** Because.',
    '',
    '```sh',
    'aws ecr describe-images --repository-name demo-app',
    '```',
    '',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
  ].join('\n');

  it('has no escape sequences at all without colour (NO_COLOR)', () => {
    const text = toTerminal(md, { color: false });
    expect(text).not.toMatch(/[\u001b\u009b]/);
    expect(text).toContain('# Title');
    expect(text).toContain('aws ecr describe-images --repository-name demo-app');
    expect(text).toContain('item with aws ecr list-images inside');
    expect(text).not.toContain('`');
  });

  it('decides colour from NO_COLOR and the TTY', () => {
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' }, true)).toBe(true);
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
  });

  it('renders with colour allowed too', () => {
    expect(toTerminal(md, { color: true })).toContain('Title');
  });

  it('shows a table too wide for the terminal row by row', () => {
    const wide = `| Field | Meaning |\n|---|---|\n| \`imageDigest\` | ${'x'.repeat(90)} |\n| size | \`a:b\` |`;
    const text = toTerminal(wide, { color: false, width: 80 });
    expect(text).toContain(`imageDigest\n  Meaning: ${'x'.repeat(90)}`);
    expect(text).toContain('size\n  Meaning: a:b');
    expect(text).not.toContain('┌');
    expect(toTerminal('| a | b |\n|---|---|\n| 1 | 2 |', { color: false })).toContain('┌');
  });
});
