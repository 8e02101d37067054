import { registryLogin } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { normalizeRegistryKey } from '../src/docker/config.js';

/** Lesson 04: docker (or podman) holds a login for the registry host, as user AWS, and the registry accepts it now. */
const check: Check = async (ctx) => {
  const host = ctx.registryHost;
  const login = await registryLogin(ctx, {
    whenMissing: (otherHosts, source) => {
      // Another ECR or local registry login is the tell-tale of a region, account or port mix-up.
      const related = otherHosts.filter((h) => /\.dkr\.ecr\.|^localhost:|^127\./.test(h) && h !== normalizeRegistryKey(host));
      if (related.length > 0) return fail(`no login for ${host}`, diagnoses.loggedInOtherHost(ctx, related), [`Logins in ${source}: ${otherHosts.join(', ')}`]);
      return fail(`no login for ${host}`, diagnoses.notLoggedIn(ctx), [`Looked in ${source}`]);
    },
  });
  return login.ok ? pass(`${ctx.client} is logged in to ${host} as AWS`, login.evidence) : login.result;
};
export default check;
