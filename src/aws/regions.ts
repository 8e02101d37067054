/**
 * AWS region names: enough to tell a mistyped region (`us-est-1`, whose endpoints do not exist)
 * from a network that is down, which fail the same way (a DNS lookup that finds nothing).
 */
import { editDistance } from '../util/edit-distance.js';

/** Regions with public ECR endpoints (commercial, China, GovCloud), as of 2025. */
export const KNOWN_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
  'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
  'cn-north-1', 'cn-northwest-1',
  'us-gov-east-1', 'us-gov-west-1',
];

/** What every region name looks like: `us-east-1`, `us-gov-west-1`, `ap-southeast-7`. */
const REGION_SHAPE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Whether `region` is a region this list knows (a newer one may exist: say "probably"). */
export function isKnownRegion(region: string): boolean {
  return KNOWN_REGIONS.includes(region);
}

/** Whether `region` is shaped like a region name at all (`useast1` and `us-east` are not). */
export function looksLikeRegion(region: string): boolean {
  return REGION_SHAPE.test(region);
}

/** The region in an AWS endpoint host (`api.ecr.us-est-1.amazonaws.com` → `us-est-1`). */
export function regionInHost(host: string): string | undefined {
  return /(?:^|\.)([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?\.?$/.exec(host)?.[1];
}

/** The partition an ARN in this region uses: `aws`, `aws-cn` or `aws-us-gov`. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The known region closest in spelling to `region` (`us-esat-1` → `us-east-1`). */
export function nearestRegion(region: string): string {
  let best = KNOWN_REGIONS[0]!;
  let bestDistance = Infinity;
  for (const known of KNOWN_REGIONS) {
    const distance = editDistance(region.toLowerCase(), known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}
