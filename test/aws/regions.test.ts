import { describe, expect, it } from 'vitest';
import { isKnownRegion, nearestRegion } from '../../src/aws/regions.js';

describe('region names', () => {
  it('knows the public, China and GovCloud regions, and not made-up ones', () => {
    for (const region of ['us-east-1', 'ap-southeast-7', 'mx-central-1', 'cn-northwest-1', 'us-gov-west-1']) expect(isKnownRegion(region)).toBe(true);
    for (const region of ['us-esat-1', 'not_a_region', 'us-east-9', 'eu-west']) expect(isKnownRegion(region)).toBe(false);
  });

  it('suggests the nearest real region for a typo', () => {
    expect(nearestRegion('us-esat-1')).toBe('us-east-1');
    expect(nearestRegion('eu-wset-2')).toBe('eu-west-2');
    expect(nearestRegion('ap-southeast-9')).toMatch(/^ap-southeast-\d$/);
    expect(nearestRegion('US-EAST-2')).toBe('us-east-2');
  });
});
