/**
 * The placeholders lessons may use, and how their values are built for a learner's target.
 * One list, so the loader can refuse a typo like `{{regoin}}` before a learner ever sees it.
 */
import type { Target } from './schema.js';

/** Placeholders every lesson text, hint, solution and string param may use. */
export const PLACEHOLDERS = ['region', 'account', 'registry', 'repo', 'repositoryUri', 'profile', 'tag', 'image', 'assets', 'learner', 'ciUser', 'partnerAccount', 'family'] as const;

/**
 * Placeholders with a value only on the sandbox target: the access key the sandbox issued.
 * On AWS the learner's own keys are theirs alone, so lessons may use these only inside a
 * `<!-- sandbox -->` block or a solution's `sandbox:` list.
 */
export const SANDBOX_PLACEHOLDERS = ['accessKeyId', 'secretAccessKey'] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];
export type SandboxPlaceholder = (typeof SANDBOX_PLACEHOLDERS)[number];

export type TemplateVars = Record<Placeholder, string> & Partial<Record<SandboxPlaceholder, string>>;

/** The repository the core path creates, before any learner prefix. */
export const DEFAULT_REPO = 'demo-app';
/** The tag the core path pushes; the repository is IMMUTABLE, so it is pushed once. */
export const DEFAULT_TAG = 'v1';
/** The named profile lesson 02 sets up. */
export const DEFAULT_PROFILE = 'ecr-workbook';

/** ECR's repository name rule (the current API model's pattern). */
export const REPOSITORY_NAME = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Whether `name` is a repository name ECR accepts (2–256 characters, the model's pattern). */
export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

/** `alice/demo-app` for learner `alice`: one shared account, one namespace per learner. */
export function repoForLearner(repo: string, learner?: string): string {
  return learner ? `${learner}/${repo}` : repo;
}

/** The ownership tag's value when the course runs without --learner (one learner per account). */
export const DEFAULT_LEARNER = 'default';

/**
 * Who a repository belongs to, for its ownership tag: its namespace (`alice` for
 * `alice/demo-app`, which is how --learner names it), else `default`. Derived from the name so
 * the lesson's tag and `cleanup`'s test of it can never disagree.
 */
export function learnerOf(repo: string): string {
  const slash = repo.lastIndexOf('/');
  return slash > 0 ? repo.slice(0, slash) : DEFAULT_LEARNER;
}

/** The pull-only IAM user lesson 10 creates, before any learner prefix. */
export const CI_USER = 'ci-reader';

/**
 * The CI user's name for a repository's learner: `ci-reader`, or `alice-ci-reader` for
 * `alice/demo-app`. IAM user names are unique in an account and cannot hold `/`, so learners
 * sharing an account get one each by a prefix, as their repositories do.
 */
export function ciUserFor(repo: string): string {
  const learner = learnerOf(repo);
  return learner === DEFAULT_LEARNER ? CI_USER : `${learner.replace(/\//g, '-')}-${CI_USER}`;
}

/** What `{{partnerAccount}}` shows on AWS until the learner names their second account (`--partner-account`). */
export const UNKNOWN_PARTNER_ACCOUNT = 'partner_account_id';

/** The private registry host of an account and region (`.amazonaws.com.cn` in China regions). */
export function awsRegistryHost(account: string, region: string): string {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${suffix}`;
}

export interface VarsInput {
  target: Target;
  region: string;
  account: string;
  /** Registry host without scheme: `<account>.dkr.ecr.<region>.amazonaws.com` or `localhost:<port>`; AWS's is derived when omitted. */
  registry?: string;
  /** Repository name; may already carry a learner prefix. Defaults to `demo-app`. */
  repo?: string;
  profile?: string;
  tag?: string;
  /** Absolute path of `lessons/assets`. */
  assets: string;
  /**
   * The second account lesson 11 shares with: the sandbox's second account, or on AWS the one the
   * learner named with --partner-account (UNKNOWN_PARTNER_ACCOUNT until then).
   */
  partnerAccount?: string;
  /** Sandbox only: the access key the sandbox issued. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

/**
 * The template values for one learner. `image` is the local image the learner builds: the
 * repository's last path segment plus the tag (`demo-app:v1`, also for `alice/demo-app`).
 */
export function buildVars(input: VarsInput): TemplateVars {
  const repo = input.repo ?? DEFAULT_REPO;
  const tag = input.tag ?? DEFAULT_TAG;
  const registry = input.registry ?? awsRegistryHost(input.account, input.region);
  const vars: TemplateVars = {
    region: input.region,
    account: input.account,
    registry,
    repo,
    repositoryUri: `${registry}/${repo}`,
    profile: input.profile ?? DEFAULT_PROFILE,
    tag,
    image: `${repo.split('/').pop() ?? repo}:${tag}`,
    assets: input.assets,
    learner: learnerOf(repo),
    ciUser: ciUserFor(repo),
    partnerAccount: input.partnerAccount ?? UNKNOWN_PARTNER_ACCOUNT,
    // ECS names (task definition families) take no `/`: alice/demo-app's is alice-demo-app.
    family: repo.replace(/\//g, '-'),
  };
  // Keys issued by a sandbox mean nothing on AWS; leaving them out there makes any misuse loud.
  if (input.target === 'sandbox') {
    if (input.accessKeyId !== undefined) vars.accessKeyId = input.accessKeyId;
    if (input.secretAccessKey !== undefined) vars.secretAccessKey = input.secretAccessKey;
  }
  return vars;
}
