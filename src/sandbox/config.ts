/** Fixed facts about the sandbox's pretend AWS account. */
import { isKnownRegion, nearestRegion } from '../aws/regions.js';

/** The sandbox account id: AWS's own documentation example, so lesson text and screens agree. */
export const SANDBOX_ACCOUNT_ID = '123456789012';
/** The IAM user the sandbox's issued access key belongs to. */
export const SANDBOX_USER_NAME = 'ecr-learner';
/**
 * The second account the sandbox hosts, for cross-account lessons: the other account id AWS's
 * documentation uses. Its administrator is a user of its own, with its own keys.
 */
export const SECOND_ACCOUNT_ID = '111122223333';
export const SECOND_ACCOUNT_USER_NAME = 'partner-admin';
/** What both accounts' administrators have attached. */
export const ADMINISTRATOR_ACCESS_ARN = 'arn:aws:iam::aws:policy/AdministratorAccess';
export const DEFAULT_REGION = 'us-east-1';
/** How often the sandbox applies lifecycle policies (ECR: within 24 hours; the sandbox: every minute). */
export const LIFECYCLE_INTERVAL_MS = 60_000;
/** ECR authorization tokens are valid for 12 hours. */
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
/** The registry image the sandbox runs; overridable where no public registry is reachable. */
export const REGISTRY_IMAGE_ENV = 'ECR_WORKBOOK_REGISTRY_IMAGE';
export const DEFAULT_REGISTRY_IMAGE = 'registry:2';
/** Control-plane request bodies larger than this are refused before parsing. */
export const MAX_API_BODY_BYTES = 1024 * 1024;
/**
 * Operations whose bodies carry image content get room for it: a manifest of up to 4 MiB
 * (PutImage), a layer part of up to 20 MiB, base64-encoded (UploadLayerPart).
 */
export const API_BODY_LIMITS: Readonly<Record<string, number>> = { PutImage: 6 * 1024 * 1024, UploadLayerPart: 28 * 1024 * 1024 };
/** Largest manifest ECR accepts (BatchGetImage's imageManifest is at most 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
export const ECR_TARGET_PREFIX = 'AmazonEC2ContainerRegistry_V20150921';
/** ECS's JSON 1.1 target prefix (botocore's ECS model); requests are signed for the service `ecs`. */
export const ECS_TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113';
/** The sandbox control API (clock, lifecycle runs, what the sandbox recorded): AWS JSON 1.1 under this target prefix. */
export const CONTROL_TARGET_PREFIX = 'EcrWorkbookSandbox_20261201';
/** The SigV4 service name control API requests are signed for (with the sandbox's own keys). */
export const CONTROL_SIGNING_SERVICE = 'ecr-workbook';

/** The registry image to run: the override variable, else registry:2. */
export function registryImage(env: NodeJS.ProcessEnv = process.env): string {
  return env[REGISTRY_IMAGE_ENV]?.trim() || DEFAULT_REGISTRY_IMAGE;
}

export function userArn(accountId: string = SANDBOX_ACCOUNT_ID, userName: string = SANDBOX_USER_NAME): string {
  return `arn:aws:iam::${accountId}:user/${userName}`;
}

/**
 * Why the sandbox will not serve `region`, or undefined when AWS has it. A made-up region would
 * put it into ARNs (`arn:aws:ecr:us-esat-1:…`) that no real account has.
 */
export function sandboxRegionRefusal(region: string): string | undefined {
  if (isKnownRegion(region)) return undefined;
  const nearest = nearestRegion(region);
  return (
    `AWS has no region '${region}' (did you mean '${nearest}'?), so the sandbox will not serve it: on real AWS a made-up region ` +
    `has no endpoints, and the aws CLI fails with "Could not connect to the endpoint URL: https://api.ecr.${region}.amazonaws.com/". ` +
    `Start it with: ecr-workbook sandbox up --region ${nearest}`
  );
}
