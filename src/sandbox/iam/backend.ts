import crypto from 'node:crypto';
import { ADMINISTRATOR_ACCESS_ARN, SECOND_ACCOUNT_ID, SECOND_ACCOUNT_USER_NAME } from '../config.js';
import { newAccessKeyId, newSecretAccessKey, randomIdentifier, type SandboxStore } from '../backend/store.js';
import { iamError } from './errors.js';
import type { Principal, PolicyRef } from './evaluate.js';
import { MANAGED_POLICIES, type ManagedPolicy } from './managed.js';
import { parsePolicy, PolicyError, policySize, type PolicyDocument, type PolicyKind } from './policy.js';
import type {
  AccessKeyRecord,
  AccessKeyStatus,
  IamAccountState,
  IamRole,
  IamState,
  IamTag,
  IamUser,
  Identity,
  ManagedPolicyRecord,
  PolicyHolder,
  SessionRecord,
} from './types.js';

/** Users and roles: the two kinds of IAM identity that hold policies. */
export type HolderKind = 'user' | 'role';

/** A policy that applies to an identity, with where it comes from (SimulatePrincipalPolicy's MatchedStatements). */
export interface AppliedPolicy extends PolicyRef {
  /** The policy's name (inline) or its name from the ARN (managed): MatchedStatements' SourcePolicyId. */
  name: string;
  /** SimulatePrincipalPolicy's SourcePolicyType. */
  sourceType: 'user' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';
  text: string;
}

/** What authentication makes of an access key (and session token). */
export type KeyCheck =
  | { ok: true; identity: Identity; secretAccessKey: string }
  | { ok: false; reason: 'unknown' | 'inactive' | 'token-mismatch'; secretAccessKey?: string }
  | { ok: false; reason: 'expired'; secretAccessKey: string };

/** A policy in a list answer: customer managed or AWS managed, with this account's attachment count. */
export interface PolicyView {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  description?: string;
  createDate: number;
  updateDate: number;
  tags: IamTag[];
  aws: boolean;
}

const MAX_ATTACHED = 10;
const MAX_TAGS = 50;
const MAX_VERSIONS = 5;
const SESSION_KEEP_AFTER_EXPIRY = 7 * 24 * 3600;
/** IAM counts policy size without white space outside strings (IAM quotas page). */
const INLINE_LIMIT: Record<HolderKind, number> = { user: 2048, role: 10240 };
const MANAGED_LIMIT = 6144;
const TRUST_LIMIT = 2048;
const POLICY_ARN_RE = /^arn:aws:iam::(\d{12}|aws):policy(\/(?:[^/]+\/)*)?([^/]+)$/;
const ROLE_ARN_RE = /^arn:aws:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/;
const USER_ARN_RE = /^arn:aws:iam::(\d{12}):user(\/(?:.*\/)?)([^/]+)$/;

const key = (name: string) => name.toLowerCase();
const epoch = (date: string) => Date.parse(date) / 1000;

/** A stable id for an AWS managed policy (real ones are fixed ANPA… strings). */
function managedPolicyId(name: string): string {
  return `ANPA${crypto.createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase()}`;
}

/**
 * IAM's state and every rule, and STS's sessions, with no HTTP inside: users and their access
 * keys, inline and attached policies, customer managed policies and their versions, roles and
 * their trust policies, and the identity behind an access key. Like the ECR backend, methods
 * check everything before they change anything, then await the store's save.
 */
export class IamBackend {
  /** Parsed documents by kind, then by their text (the stored string itself, so lookups rehash nothing). */
  private readonly parsed = new Map<PolicyKind, Map<string, PolicyDocument>>();

  constructor(readonly store: SandboxStore) {}

  private get state(): IamState {
    this.store.state.iam ??= { accounts: {}, sessions: {} };
    return this.store.state.iam;
  }

  /** The main account (the learner's). */
  get mainAccountId(): string {
    return this.store.state.accountId;
  }

  /** Every account the sandbox hosts: the learner's and the second one. */
  hostedAccounts(): string[] {
    return [this.mainAccountId, SECOND_ACCOUNT_ID];
  }

  isHosted(accountId: string): boolean {
    return this.hostedAccounts().includes(accountId);
  }

  /** One account's IAM, created empty on first use. */
  account(accountId: string): IamAccountState {
    let account = this.state.accounts[accountId];
    if (!account) {
      account = { users: {}, roles: {}, policies: {} };
      this.state.accounts[accountId] = account;
    }
    return account;
  }

  /**
   * Makes sure both accounts' administrators exist: the learner `ecr-learner` with the key in
   * `state.credentials` (as before IAM existed, so older state files keep their key and user
   * id), and the second account's admin with a key of its own. Both have AdministratorAccess.
   * Returns whether anything changed (the caller saves).
   */
  ensureIdentities(): boolean {
    const now = this.store.now();
    const credentials = this.store.state.credentials;
    let changed = !this.store.state.iam;
    const main = this.account(this.mainAccountId);
    let learner = main.users[key(credentials.userName)];
    if (!learner) {
      learner = this.newUser(credentials.userName, '/', [], now);
      // The id GetCallerIdentity has always answered with, derived from the key.
      learner.userId = `AIDA${credentials.accessKeyId.slice(4, 20)}`.slice(0, 21);
      learner.attachedPolicies.push(ADMINISTRATOR_ACCESS_ARN);
      main.users[key(learner.userName)] = learner;
      changed = true;
    }
    if (!learner.accessKeys.some((k) => k.accessKeyId === credentials.accessKeyId)) {
      // The credentials were issued anew (a reset state file): the old sandbox key goes.
      learner.accessKeys = learner.accessKeys.filter((k) => !(k.sandboxKey && k.secretAccessKey === undefined));
      learner.accessKeys.unshift({ accessKeyId: credentials.accessKeyId, status: 'Active', createDate: now, sandboxKey: true });
      changed = true;
    }
    const second = this.account(SECOND_ACCOUNT_ID);
    if (!second.users[key(SECOND_ACCOUNT_USER_NAME)]) {
      const admin = this.newUser(SECOND_ACCOUNT_USER_NAME, '/', [], now);
      admin.attachedPolicies.push(ADMINISTRATOR_ACCESS_ARN);
      admin.accessKeys.push({
        accessKeyId: newAccessKeyId(),
        secretAccessKey: newSecretAccessKey(),
        status: 'Active',
        createDate: now,
        sandboxKey: true,
      });
      second.users[key(admin.userName)] = admin;
      changed = true;
    }
    return changed;
  }

  /** The keys `sandbox env --account second` hands out. */
  secondAccountKey(): AccessKeyRecord | undefined {
    return this.state.accounts[SECOND_ACCOUNT_ID]?.users[key(SECOND_ACCOUNT_USER_NAME)]?.accessKeys.find((k) => k.sandboxKey);
  }

  // ---------------------------------------------------------------- authentication

  /**
   * Who an access key belongs to, across every account and every session. The secret comes
   * back even for a key that fails (so the signature is checked first, as AWS does); a session
   * key needs its session token.
   */
  checkKey(accessKeyId: string, sessionToken: string | undefined): KeyCheck {
    const session = this.state.sessions[accessKeyId];
    if (session) {
      if (sessionToken !== session.sessionToken) return { ok: false, reason: 'token-mismatch', secretAccessKey: session.secretAccessKey };
      if (this.store.now() >= session.expiration) return { ok: false, reason: 'expired', secretAccessKey: session.secretAccessKey };
      const identity = this.sessionIdentity(session);
      return identity ? { ok: true, identity, secretAccessKey: session.secretAccessKey } : { ok: false, reason: 'unknown' };
    }
    const found = this.findKey(accessKeyId);
    if (!found) return { ok: false, reason: 'unknown' };
    const secretAccessKey = found.key.secretAccessKey ?? this.store.state.credentials.secretAccessKey;
    if (found.key.status !== 'Active') return { ok: false, reason: 'inactive', secretAccessKey };
    return { ok: true, identity: this.userIdentity(found.accountId, found.user, accessKeyId), secretAccessKey };
  }

  /**
   * The identity a registry token was issued to, now: undefined when its key was deleted or
   * made Inactive, or its session is gone (a token never outlives its session's expiry).
   */
  identityForKey(accessKeyId: string): Identity | undefined {
    const session = this.state.sessions[accessKeyId];
    if (session) return this.store.now() < session.expiration ? this.sessionIdentity(session) : undefined;
    const found = this.findKey(accessKeyId);
    if (!found || found.key.status !== 'Active') return undefined;
    return this.userIdentity(found.accountId, found.user, accessKeyId);
  }

  private findKey(accessKeyId: string): { accountId: string; user: IamUser; key: AccessKeyRecord } | undefined {
    for (const [accountId, account] of Object.entries(this.state.accounts)) {
      for (const user of Object.values(account.users)) {
        const found = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
        if (found) return { accountId, user, key: found };
      }
    }
    return undefined;
  }

  private userIdentity(accountId: string, user: IamUser, accessKeyId: string): Identity {
    return { kind: 'user', accountId, arn: this.userArn(accountId, user), userId: user.userId, userName: user.userName, accessKeyId };
  }

  private sessionIdentity(session: SessionRecord): Identity | undefined {
    const role = this.state.accounts[session.accountId]?.roles[key(session.roleName)];
    // A role deleted (or deleted and made again) since: its sessions end with it.
    if (!role || role.roleId !== session.roleId) return undefined;
    return {
      kind: 'assumed-role',
      accountId: session.accountId,
      arn: `arn:aws:sts::${session.accountId}:assumed-role/${role.roleName}/${session.sessionName}`,
      userId: `${role.roleId}:${session.sessionName}`,
      roleName: role.roleName,
      roleArn: this.roleArn(session.accountId, role),
      sessionName: session.sessionName,
      accessKeyId: session.accessKeyId,
      expiration: session.expiration,
    };
  }

  // ---------------------------------------------------------------- what evaluation needs

  /** The evaluator's view of an identity: ARN, account, role, user name and principal tags. */
  principal(identity: Identity): Principal {
    if (identity.kind === 'user') {
      const user = this.state.accounts[identity.accountId]?.users[key(identity.userName)];
      return { arn: identity.arn, accountId: identity.accountId, userName: identity.userName, userId: identity.userId, tags: tagMap(user?.tags ?? []) };
    }
    const role = this.state.accounts[identity.accountId]?.roles[key(identity.roleName)];
    const session = this.state.sessions[identity.accessKeyId];
    return {
      arn: identity.arn,
      accountId: identity.accountId,
      roleArn: identity.roleArn,
      userId: identity.userId,
      tags: { ...tagMap(role?.tags ?? []), ...tagMap(session?.tags ?? []) },
    };
  }

  /** The identity-based policies that apply to a caller: its user's, or its role's. */
  identityPolicies(identity: Identity): AppliedPolicy[] {
    const account = this.state.accounts[identity.accountId];
    if (!account) return [];
    const holder = identity.kind === 'user' ? account.users[key(identity.userName)] : account.roles[key(identity.roleName)];
    return holder ? this.holderPolicies(identity.kind === 'user' ? 'user' : 'role', holder) : [];
  }

  /** A user's or role's inline and attached policies, parsed. */
  holderPolicies(kind: HolderKind, holder: PolicyHolder): AppliedPolicy[] {
    const applied: AppliedPolicy[] = [];
    for (const [name, text] of Object.entries(holder.inlinePolicies)) {
      applied.push({ id: `${kind}:${name}`, type: 'identity', name, sourceType: kind, text, document: this.parse(text, 'identity') });
    }
    for (const arn of holder.attachedPolicies) {
      const managed = MANAGED_POLICIES.get(arn);
      if (managed) {
        applied.push({ id: arn, type: 'identity', name: managed.name, sourceType: 'aws-managed', text: managed.documentText, document: managed.document });
        continue;
      }
      const policy = this.customerPolicyByArn(arn);
      const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
      if (policy && version) {
        applied.push({ id: arn, type: 'identity', name: policy.policyName, sourceType: 'user-managed', text: version.document, document: this.parse(version.document, 'identity') });
      }
    }
    return applied;
  }

  /**
   * A policy document parsed as IAM does for its kind, or MalformedPolicyDocument with IAM's
   * words. Stored documents are parsed once (the cache is keyed by kind and text).
   */
  parse(text: string, kind: PolicyKind): PolicyDocument {
    let byText = this.parsed.get(kind);
    if (!byText) this.parsed.set(kind, (byText = new Map()));
    const cached = byText.get(text);
    if (cached) return cached;
    let document: PolicyDocument;
    try {
      document = parsePolicy(text, kind);
    } catch (error) {
      if (error instanceof PolicyError) throw iamError('malformedPolicy', error.message);
      throw error;
    }
    if (byText.size >= 1000) byText.clear();
    byText.set(text, document);
    return document;
  }

  /**
   * A trust policy as CreateRole and UpdateAssumeRolePolicy accept it: IAM resolves each user or
   * role it names in the accounts it knows, and refuses one that does not exist.
   */
  private checkTrustDocument(text: string): void {
    try {
      parsePolicy(text, 'trust', { principalExists: (arn) => this.principalExists(arn) });
    } catch (error) {
      if (error instanceof PolicyError) throw iamError('malformedPolicy', error.message);
      throw error;
    }
  }

  // ---------------------------------------------------------------- ARNs and lookups

  userArn(accountId: string, user: Pick<IamUser, 'path' | 'userName'>): string {
    return `arn:aws:iam::${accountId}:user${user.path}${user.userName}`;
  }

  roleArn(accountId: string, role: Pick<IamRole, 'path' | 'roleName'>): string {
    return `arn:aws:iam::${accountId}:role${role.path}${role.roleName}`;
  }

  findUser(accountId: string, userName: string): IamUser | undefined {
    return this.state.accounts[accountId]?.users[key(userName)];
  }

  requireUser(accountId: string, userName: string): IamUser {
    const user = this.findUser(accountId, userName);
    if (!user) throw iamError('noSuchUser', userName);
    return user;
  }

  findRole(accountId: string, roleName: string): IamRole | undefined {
    return this.state.accounts[accountId]?.roles[key(roleName)];
  }

  requireRole(accountId: string, roleName: string): IamRole {
    const role = this.findRole(accountId, roleName);
    if (!role) throw iamError('noSuchRole', roleName);
    return role;
  }

  /** The role a role ARN names (path included), in any hosted account. */
  roleByArn(arn: string): { accountId: string; role: IamRole } | undefined {
    const match = ROLE_ARN_RE.exec(arn);
    if (!match) return undefined;
    const [, accountId, path, name] = match as unknown as [string, string, string, string];
    const role = this.findRole(accountId, name);
    return role && role.path === path ? { accountId, role } : undefined;
  }

  /** The user or role a principal ARN names (SimulatePrincipalPolicy's PolicySourceArn). */
  holderByArn(arn: string): ({ kind: 'user'; holder: IamUser } | { kind: 'role'; holder: IamRole }) & { accountId: string } | undefined {
    const user = USER_ARN_RE.exec(arn);
    if (user) {
      const [, accountId, path, name] = user as unknown as [string, string, string, string];
      const holder = this.findUser(accountId, name);
      return holder && holder.path === path ? { kind: 'user', accountId, holder } : undefined;
    }
    const found = this.roleByArn(arn);
    return found ? { kind: 'role', accountId: found.accountId, holder: found.role } : undefined;
  }

  private customerPolicyByArn(arn: string): ManagedPolicyRecord | undefined {
    const match = POLICY_ARN_RE.exec(arn);
    if (!match || match[1] === 'aws') return undefined;
    const policy = this.state.accounts[match[1]!]?.policies[key(match[3]!)];
    return policy?.arn === arn ? policy : undefined;
  }

  private holder(accountId: string, kind: HolderKind, name: string): IamUser | IamRole {
    return kind === 'user' ? this.requireUser(accountId, name) : this.requireRole(accountId, name);
  }

  // ---------------------------------------------------------------- users

  private newUser(userName: string, path: string, tags: IamTag[], now: number): IamUser {
    return {
      userName,
      path,
      userId: randomIdentifier('AIDA', 21),
      createDate: now,
      tags,
      inlinePolicies: {},
      attachedPolicies: [],
      accessKeys: [],
    };
  }

  /** CreateUser: names are unique without regard to case. */
  async createUser(accountId: string, input: { userName: string; path?: string; tags?: IamTag[] }): Promise<IamUser> {
    const tags = checkTags(input.tags ?? [], 'User');
    const account = this.account(accountId);
    if (account.users[key(input.userName)]) throw iamError('userExists', input.userName);
    const user = this.newUser(input.userName, input.path ?? '/', tags, this.store.now());
    account.users[key(user.userName)] = user;
    await this.store.save();
    return user;
  }

  /** ListUsers: by name, optionally under a path prefix. */
  listUsers(accountId: string, pathPrefix?: string): IamUser[] {
    return underPath(Object.values(this.state.accounts[accountId]?.users ?? {}), pathPrefix);
  }

  /** DeleteUser: refused while it has attached policies, inline policies or access keys (in that order). */
  async deleteUser(accountId: string, userName: string): Promise<void> {
    const user = this.requireUser(accountId, userName);
    checkNoPolicies(user);
    if (user.accessKeys.length > 0) throw iamError('mustDeleteAccessKeys');
    delete this.account(accountId).users[key(user.userName)];
    await this.store.save();
  }

  /** TagUser / TagRole: a key already there (in any case) gets the new value. */
  async tag(accountId: string, kind: HolderKind, name: string, tags: IamTag[]): Promise<void> {
    const holder = this.holder(accountId, kind, name);
    const merged = new Map(holder.tags.map((t) => [key(t.Key), t]));
    for (const tag of checkTags(tags, kind === 'user' ? 'User' : 'Role')) merged.set(key(tag.Key), tag);
    if (merged.size > MAX_TAGS) throw iamError('tagQuota', kind === 'user' ? 'User' : 'Role');
    holder.tags = [...merged.values()];
    await this.store.save();
  }

  /** UntagUser / UntagRole: keys it does not have are ignored. */
  async untag(accountId: string, kind: HolderKind, name: string, tagKeys: string[]): Promise<void> {
    const holder = this.holder(accountId, kind, name);
    const remove = new Set(tagKeys.map(key));
    holder.tags = holder.tags.filter((t) => !remove.has(key(t.Key)));
    await this.store.save();
  }

  tags(accountId: string, kind: HolderKind, name: string): IamTag[] {
    return this.holder(accountId, kind, name).tags.map((t) => ({ ...t }));
  }

  // ---------------------------------------------------------------- access keys

  /** CreateAccessKey: at most two per user, Active from the start. */
  async createAccessKey(accountId: string, userName: string): Promise<{ user: IamUser; key: Required<Omit<AccessKeyRecord, 'sandboxKey'>> }> {
    const user = this.requireUser(accountId, userName);
    if (user.accessKeys.length >= 2) throw iamError('accessKeyQuota');
    const created = { accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey(), status: 'Active' as const, createDate: this.store.now() };
    user.accessKeys.push(created);
    await this.store.save();
    return { user, key: created };
  }

  listAccessKeys(accountId: string, userName: string): { user: IamUser; keys: AccessKeyRecord[] } {
    const user = this.requireUser(accountId, userName);
    return { user, keys: user.accessKeys };
  }

  private requireAccessKey(user: IamUser, accessKeyId: string): AccessKeyRecord {
    const found = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (!found) throw iamError('noSuchAccessKey', accessKeyId);
    return found;
  }

  /** DeleteAccessKey: the key stops working at once (registry logins made with it too). */
  async deleteAccessKey(accountId: string, userName: string, accessKeyId: string): Promise<void> {
    const user = this.requireUser(accountId, userName);
    const found = this.requireAccessKey(user, accessKeyId);
    if (found.sandboxKey) throw iamError('sandboxKey', accessKeyId);
    user.accessKeys = user.accessKeys.filter((k) => k !== found);
    await this.store.save();
  }

  /** UpdateAccessKey: an Inactive key is refused at authentication until made Active again. */
  async updateAccessKey(accountId: string, userName: string, accessKeyId: string, status: AccessKeyStatus): Promise<void> {
    const user = this.requireUser(accountId, userName);
    const found = this.requireAccessKey(user, accessKeyId);
    if (found.sandboxKey && status !== 'Active') throw iamError('sandboxKey', accessKeyId);
    found.status = status;
    await this.store.save();
  }

  // ---------------------------------------------------------------- inline policies

  /** PutUserPolicy / PutRolePolicy: validated as an identity policy, size counted without whitespace. */
  async putInlinePolicy(accountId: string, kind: HolderKind, name: string, policyName: string, document: string): Promise<void> {
    const holder = this.holder(accountId, kind, name);
    this.parse(document, 'identity');
    if (policySize(document) > INLINE_LIMIT[kind]) throw iamError('inlinePolicySize', INLINE_LIMIT[kind], kind, name);
    holder.inlinePolicies[policyName] = document;
    await this.store.save();
  }

  /** An inline policy, with its holder's name as stored (lookups ignore case). */
  getInlinePolicy(accountId: string, kind: HolderKind, name: string, policyName: string): { holder: IamUser | IamRole; holderName: string; document: string } {
    const holder = this.holder(accountId, kind, name);
    const document = holder.inlinePolicies[policyName];
    if (document === undefined) throw iamError(kind === 'user' ? 'noSuchUserPolicy' : 'noSuchRolePolicy', policyName);
    return { holder, holderName: nameOf(holder), document };
  }

  async deleteInlinePolicy(accountId: string, kind: HolderKind, name: string, policyName: string): Promise<void> {
    const { holder } = this.getInlinePolicy(accountId, kind, name, policyName);
    delete holder.inlinePolicies[policyName];
    await this.store.save();
  }

  listInlinePolicies(accountId: string, kind: HolderKind, name: string): string[] {
    return Object.keys(this.holder(accountId, kind, name).inlinePolicies).sort();
  }

  // ---------------------------------------------------------------- attached (managed) policies

  /** A managed policy that can be attached in this account: AWS managed, or this account's own. */
  private attachable(accountId: string, arn: string): void {
    const match = POLICY_ARN_RE.exec(arn);
    if (!match) throw iamError('invalidAttachArn', arn);
    const exists = match[1] === 'aws' ? MANAGED_POLICIES.has(arn) : match[1] === accountId && !!this.customerPolicyByArn(arn);
    if (!exists) throw iamError('policyNotAttachable', arn);
  }

  /** AttachUserPolicy / AttachRolePolicy: at most 10 each; attaching again changes nothing. */
  async attachPolicy(accountId: string, kind: HolderKind, name: string, arn: string): Promise<void> {
    const holder = this.holder(accountId, kind, name);
    this.attachable(accountId, arn);
    if (holder.attachedPolicies.includes(arn)) return;
    if (holder.attachedPolicies.length >= MAX_ATTACHED) throw iamError('attachedQuota', kind === 'user' ? 'User' : 'Role');
    holder.attachedPolicies.push(arn);
    await this.store.save();
  }

  async detachPolicy(accountId: string, kind: HolderKind, name: string, arn: string): Promise<void> {
    const holder = this.holder(accountId, kind, name);
    if (!holder.attachedPolicies.includes(arn)) throw iamError('policyNotFound', arn);
    holder.attachedPolicies = holder.attachedPolicies.filter((a) => a !== arn);
    await this.store.save();
  }

  /** ListAttachedUserPolicies / ListAttachedRolePolicies: name and ARN, by name. */
  listAttachedPolicies(accountId: string, kind: HolderKind, name: string, pathPrefix?: string): Array<{ policyName: string; policyArn: string }> {
    return this.holder(accountId, kind, name)
      .attachedPolicies.map((arn) => ({ arn, match: POLICY_ARN_RE.exec(arn) }))
      .filter(({ match }) => !pathPrefix || (match?.[2] ?? '/').startsWith(pathPrefix))
      .map(({ arn, match }) => ({ policyName: match?.[3] ?? arn, policyArn: arn }))
      .sort((a, b) => compareNames(a.policyName, b.policyName));
  }

  // ---------------------------------------------------------------- customer managed policies

  /** How many users and roles of `accountId` have the policy attached. */
  private attachmentCount(accountId: string, arn: string): number {
    const account = this.state.accounts[accountId];
    if (!account) return 0;
    const holders: PolicyHolder[] = [...Object.values(account.users), ...Object.values(account.roles)];
    return holders.filter((h) => h.attachedPolicies.includes(arn)).length;
  }

  /** CreatePolicy: version v1, the default; names are unique in the account whatever the path. */
  async createPolicy(
    accountId: string,
    input: { policyName: string; path?: string; document: string; description?: string; tags?: IamTag[] },
  ): Promise<PolicyView> {
    const tags = checkTags(input.tags ?? [], 'Policy');
    this.parse(input.document, 'identity');
    if (policySize(input.document) > MANAGED_LIMIT) throw iamError('managedPolicySize');
    const account = this.account(accountId);
    if (account.policies[key(input.policyName)]) throw iamError('policyExists', input.policyName);
    const now = this.store.now();
    const path = input.path ?? '/';
    const policy: ManagedPolicyRecord = {
      policyName: input.policyName,
      path,
      policyId: randomIdentifier('ANPA', 21),
      arn: `arn:aws:iam::${accountId}:policy${path}${input.policyName}`,
      ...(input.description !== undefined ? { description: input.description } : {}),
      createDate: now,
      updateDate: now,
      defaultVersionId: 'v1',
      versions: [{ versionId: 'v1', document: input.document, createDate: now }],
      nextVersion: 2,
      tags,
    };
    account.policies[key(policy.policyName)] = policy;
    await this.store.save();
    return this.customerView(accountId, policy);
  }

  private customerView(accountId: string, policy: ManagedPolicyRecord): PolicyView {
    return {
      policyName: policy.policyName,
      policyId: policy.policyId,
      arn: policy.arn,
      path: policy.path,
      defaultVersionId: policy.defaultVersionId,
      attachmentCount: this.attachmentCount(accountId, policy.arn),
      description: policy.description,
      createDate: policy.createDate,
      updateDate: policy.updateDate,
      tags: policy.tags,
      aws: false,
    };
  }

  private awsView(accountId: string, managed: ManagedPolicy): PolicyView {
    return {
      policyName: managed.name,
      policyId: managedPolicyId(managed.name),
      arn: managed.arn,
      path: managed.path,
      defaultVersionId: managed.versionId,
      attachmentCount: this.attachmentCount(accountId, managed.arn),
      description: managed.description,
      createDate: epoch(managed.created),
      updateDate: epoch(managed.updated),
      tags: [],
      aws: true,
    };
  }

  /** A customer managed policy of this account, or NoSuchEntity (`Policy … was not found.`). */
  private requireCustomerPolicy(accountId: string, arn: string): ManagedPolicyRecord {
    const policy = this.customerPolicyByArn(arn);
    if (!policy || !arn.startsWith(`arn:aws:iam::${accountId}:`)) throw iamError('policyNotFound', arn);
    return policy;
  }

  private checkPolicyArn(arn: string): void {
    if (!POLICY_ARN_RE.test(arn)) throw iamError('invalidArn', arn);
  }

  /** GetPolicy: this account's customer managed policies and the AWS managed ones. */
  getPolicy(accountId: string, arn: string): PolicyView {
    this.checkPolicyArn(arn);
    const managed = MANAGED_POLICIES.get(arn);
    if (managed) return this.awsView(accountId, managed);
    if (arn.startsWith('arn:aws:iam::aws:')) throw iamError('policyNotFound', arn);
    return this.customerView(accountId, this.requireCustomerPolicy(accountId, arn));
  }

  /** GetPolicyVersion: the AWS managed policies have their current version only. */
  getPolicyVersion(accountId: string, arn: string, versionId: string): { document: string; versionId: string; isDefault: boolean; createDate: number } {
    this.checkPolicyArn(arn);
    const managed = MANAGED_POLICIES.get(arn);
    if (managed) {
      if (managed.versionId !== versionId) throw iamError('policyVersionNotFound', arn, versionId);
      return { document: managed.documentText, versionId, isDefault: true, createDate: epoch(managed.updated) };
    }
    const policy = this.customerPolicyByArn(arn);
    const version = policy && arn.startsWith(`arn:aws:iam::${accountId}:`) ? policy.versions.find((v) => v.versionId === versionId) : undefined;
    if (!policy || !version) throw iamError('policyVersionNotFound', arn, versionId);
    return { document: version.document, versionId, isDefault: version.versionId === policy.defaultVersionId, createDate: version.createDate };
  }

  /** DeletePolicy: only once detached from everything and down to its default version. */
  async deletePolicy(accountId: string, arn: string): Promise<void> {
    this.checkPolicyArn(arn);
    const policy = this.requireCustomerPolicy(accountId, arn);
    if (this.attachmentCount(accountId, arn) > 0) throw iamError('policyAttached');
    if (policy.versions.length > 1) throw iamError('policyHasVersions');
    delete this.account(accountId).policies[key(policy.policyName)];
    await this.store.save();
  }

  /** ListPolicies: Scope Local (this account's), AWS (the built-in AWS managed ones) or All. */
  listPolicies(accountId: string, input: { scope?: 'All' | 'AWS' | 'Local'; onlyAttached?: boolean; pathPrefix?: string }): PolicyView[] {
    const scope = input.scope ?? 'All';
    const local = scope === 'AWS' ? [] : Object.values(this.state.accounts[accountId]?.policies ?? {}).map((p) => this.customerView(accountId, p));
    const aws = scope === 'Local' ? [] : [...MANAGED_POLICIES.values()].map((m) => this.awsView(accountId, m));
    const byName = (a: PolicyView, b: PolicyView) => compareNames(a.policyName, b.policyName);
    return [...local.sort(byName), ...aws.sort(byName)].filter(
      (p) => (!input.onlyAttached || p.attachmentCount > 0) && (!input.pathPrefix || p.path.startsWith(input.pathPrefix)),
    );
  }

  /** CreatePolicyVersion: at most five versions; SetAsDefault makes it the one that applies. */
  async createPolicyVersion(accountId: string, arn: string, document: string, setAsDefault: boolean): Promise<{ versionId: string; isDefault: boolean; createDate: number }> {
    this.checkPolicyArn(arn);
    const policy = this.requireCustomerPolicy(accountId, arn);
    this.parse(document, 'identity');
    if (policySize(document) > MANAGED_LIMIT) throw iamError('managedPolicySize');
    if (policy.versions.length >= MAX_VERSIONS) throw iamError('versionQuota');
    const now = this.store.now();
    const versionId = `v${policy.nextVersion}`;
    policy.nextVersion++;
    policy.versions.push({ versionId, document, createDate: now });
    if (setAsDefault) {
      policy.defaultVersionId = versionId;
      policy.updateDate = now;
    }
    await this.store.save();
    return { versionId, isDefault: setAsDefault, createDate: now };
  }

  /** ListPolicyVersions: newest first. */
  listPolicyVersions(accountId: string, arn: string): Array<{ versionId: string; isDefault: boolean; createDate: number }> {
    this.checkPolicyArn(arn);
    const managed = MANAGED_POLICIES.get(arn);
    if (managed) return [{ versionId: managed.versionId, isDefault: true, createDate: epoch(managed.updated) }];
    const policy = this.requireCustomerPolicy(accountId, arn);
    return [...policy.versions]
      .reverse()
      .map((v) => ({ versionId: v.versionId, isDefault: v.versionId === policy.defaultVersionId, createDate: v.createDate }));
  }

  async deletePolicyVersion(accountId: string, arn: string, versionId: string): Promise<void> {
    this.checkPolicyArn(arn);
    const policy = this.requireCustomerPolicy(accountId, arn);
    const version = policy.versions.find((v) => v.versionId === versionId);
    if (!version) throw iamError('policyVersionNotFound', arn, versionId);
    if (versionId === policy.defaultVersionId) throw iamError('defaultVersion');
    policy.versions = policy.versions.filter((v) => v !== version);
    await this.store.save();
  }

  async setDefaultPolicyVersion(accountId: string, arn: string, versionId: string): Promise<void> {
    this.checkPolicyArn(arn);
    const policy = this.customerPolicyByArn(arn);
    if (!policy || !arn.startsWith(`arn:aws:iam::${accountId}:`) || !policy.versions.some((v) => v.versionId === versionId)) {
      throw iamError('policyVersionNotFound', arn, versionId);
    }
    policy.defaultVersionId = versionId;
    policy.updateDate = this.store.now();
    await this.store.save();
  }

  // ---------------------------------------------------------------- roles

  /** Whether a principal ARN names a user or role that exists (accounts the sandbox does not host: assumed so). */
  private principalExists(arn: string): boolean {
    const match = /^arn:aws:iam::(\d{12}):(user|role)\//.exec(arn);
    if (!match || !this.isHosted(match[1]!)) return true;
    return this.holderByArn(arn) !== undefined;
  }

  /** A trust policy: parsed as one (a Principal in every statement, each existing), at most 2048 characters. */
  private checkTrustPolicy(document: string): void {
    this.checkTrustDocument(document);
    if (policySize(document) > TRUST_LIMIT) throw iamError('trustPolicySize');
  }

  /** CreateRole with its trust policy. MaxSessionDuration defaults to an hour. */
  async createRole(
    accountId: string,
    input: { roleName: string; path?: string; document: string; description?: string; maxSessionDuration?: number; tags?: IamTag[] },
  ): Promise<IamRole> {
    const tags = checkTags(input.tags ?? [], 'Role');
    this.checkTrustPolicy(input.document);
    const account = this.account(accountId);
    if (account.roles[key(input.roleName)]) throw iamError('roleExists', input.roleName);
    const role: IamRole = {
      roleName: input.roleName,
      path: input.path ?? '/',
      roleId: randomIdentifier('AROA', 21),
      createDate: this.store.now(),
      assumeRolePolicyDocument: input.document,
      ...(input.description !== undefined ? { description: input.description } : {}),
      maxSessionDuration: input.maxSessionDuration ?? 3600,
      tags,
      inlinePolicies: {},
      attachedPolicies: [],
    };
    account.roles[key(role.roleName)] = role;
    await this.store.save();
    return role;
  }

  /** ListRoles: by name, optionally under a path prefix. */
  listRoles(accountId: string, pathPrefix?: string): IamRole[] {
    return underPath(Object.values(this.state.accounts[accountId]?.roles ?? {}), pathPrefix);
  }

  /** DeleteRole: refused while policies are attached or inline; its sessions end with it. */
  async deleteRole(accountId: string, roleName: string): Promise<void> {
    const role = this.requireRole(accountId, roleName);
    checkNoPolicies(role);
    delete this.account(accountId).roles[key(role.roleName)];
    await this.store.save();
  }

  async updateAssumeRolePolicy(accountId: string, roleName: string, document: string): Promise<void> {
    const role = this.requireRole(accountId, roleName);
    this.checkTrustPolicy(document);
    role.assumeRolePolicyDocument = document;
    await this.store.save();
  }

  // ---------------------------------------------------------------- STS sessions

  /** Issues temporary credentials for a role (authorization already done by the caller). */
  async issueSession(
    accountId: string,
    role: IamRole,
    input: { sessionName: string; durationSeconds: number; tags?: IamTag[]; chained: boolean },
  ): Promise<SessionRecord> {
    const now = this.store.now();
    for (const [id, old] of Object.entries(this.state.sessions)) {
      if (old.expiration + SESSION_KEEP_AFTER_EXPIRY < now) delete this.state.sessions[id];
    }
    const session: SessionRecord = {
      accessKeyId: randomIdentifier('ASIA', 20),
      secretAccessKey: newSecretAccessKey(),
      // Real session tokens are long opaque base64; this one is random bytes in that shape.
      sessionToken: `IQoJb3JpZ2luX2VjE${crypto.randomBytes(300).toString('base64')}`,
      accountId,
      roleName: role.roleName,
      roleId: role.roleId,
      sessionName: input.sessionName,
      issuedAt: now,
      expiration: Math.floor(now + input.durationSeconds),
      ...(input.tags?.length ? { tags: input.tags } : {}),
      ...(input.chained ? { chained: true } : {}),
    };
    this.state.sessions[session.accessKeyId] = session;
    await this.store.save();
    return session;
  }
}

/** A user's or role's name. */
const nameOf = (holder: IamUser | IamRole) => ('userName' in holder ? holder.userName : holder.roleName);

/** Users or roles under a path prefix (all without one), by name as IAM lists them. */
function underPath<T extends IamUser | IamRole>(holders: T[], pathPrefix: string | undefined): T[] {
  return holders.filter((h) => !pathPrefix || h.path.startsWith(pathPrefix)).sort((a, b) => compareNames(nameOf(a), nameOf(b)));
}

/** DeleteUser's and DeleteRole's first refusals: attached policies, then inline ones. */
function checkNoPolicies(holder: PolicyHolder): void {
  if (holder.attachedPolicies.length > 0) throw iamError('mustDetachPolicies');
  if (Object.keys(holder.inlinePolicies).length > 0) throw iamError('mustDeletePolicies');
}

/** Sorts names the way IAM lists them: without regard to case. */
function compareNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function tagMap(tags: IamTag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/** IAM tag lists: at most 50, keys unique without regard to case. */
function checkTags(tags: IamTag[], kind: 'User' | 'Role' | 'Policy'): IamTag[] {
  if (tags.length > MAX_TAGS) throw iamError('tagQuota', kind === 'Role' ? 'Role' : 'User');
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(key(tag.Key))) throw iamError('duplicateTagKeys');
    seen.add(key(tag.Key));
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value }));
}
