/**
 * The AWS managed policies the sandbox has built in, as data: each file in managed/ holds one
 * policy's current default version, copied from the AWS Managed Policy Reference page named in
 * its `source`, with its version id, path, description and dates. The data packages that carry
 * every AWS policy weigh 15–74 MB; six documents do not need them.
 *
 * The files are imported as JSON modules, so tsc copies them into dist/ beside this module and
 * the npm package ships them with dist/.
 */
import administratorAccess from './managed/AdministratorAccess.json' with { type: 'json' };
import fullAccess from './managed/AmazonEC2ContainerRegistryFullAccess.json' with { type: 'json' };
import powerUser from './managed/AmazonEC2ContainerRegistryPowerUser.json' with { type: 'json' };
import pullOnly from './managed/AmazonEC2ContainerRegistryPullOnly.json' with { type: 'json' };
import readOnly from './managed/AmazonEC2ContainerRegistryReadOnly.json' with { type: 'json' };
import ecsTaskExecution from './managed/AmazonECSTaskExecutionRolePolicy.json' with { type: 'json' };
import { parsePolicy, type PolicyDocument } from './policy.js';

export interface ManagedPolicy {
  arn: string;
  name: string;
  /** '/' or '/service-role/'. */
  path: string;
  /** The default version: 'v3'. */
  versionId: string;
  document: PolicyDocument;
  /** The document as IAM hands it out (GetPolicyVersion), pretty-printed JSON. */
  documentText: string;
  description: string;
  /** The AWS Managed Policy Reference page the document was copied from. */
  source: string;
  /** When AWS created the policy (ISO 8601). */
  created: string;
  /** When its default version was made (ISO 8601). */
  updated: string;
}

interface ManagedPolicyFile {
  name: string;
  path: string;
  versionId: string;
  description: string;
  created: string;
  updated: string;
  source: string;
  document: unknown;
}

const FILES: ManagedPolicyFile[] = [readOnly, pullOnly, powerUser, fullAccess, ecsTaskExecution, administratorAccess];

/** A managed policy file as the sandbox serves it; its document is validated as an identity policy. */
export function managedPolicyFrom(file: ManagedPolicyFile): ManagedPolicy {
  const documentText = JSON.stringify(file.document, null, 4);
  return {
    arn: `arn:aws:iam::aws:policy${file.path}${file.name}`,
    name: file.name,
    path: file.path,
    versionId: file.versionId,
    document: parsePolicy(documentText, 'identity'),
    documentText,
    description: file.description,
    source: file.source,
    created: file.created,
    updated: file.updated,
  };
}

/** The built-in AWS managed policies, by ARN (arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly). */
export const MANAGED_POLICIES: ReadonlyMap<string, ManagedPolicy> = new Map(
  FILES.map((file) => {
    const policy = managedPolicyFrom(file);
    return [policy.arn, policy] as const;
  }),
);
