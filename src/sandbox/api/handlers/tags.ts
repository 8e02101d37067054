import type { OperationHandler } from '../context.js';
import { requiredArray, requiredString } from '../validate.js';
import { parseTag } from './repositories.js';

/** TagResource: repository ARNs only; an existing key gets the new value. */
export const TagResource: OperationHandler = async (api, input) => {
  const resourceArn = requiredString(input, 'resourceArn');
  const tags = requiredArray(input, 'tags', 0, Number.MAX_SAFE_INTEGER).map((item) => parseTag(item));
  await api.backend.tagResource(api, { resourceArn, tags });
  return {};
};

/** UntagResource. */
export const UntagResource: OperationHandler = async (api, input) => {
  const resourceArn = requiredString(input, 'resourceArn');
  const tagKeys = requiredArray(input, 'tagKeys', 0, Number.MAX_SAFE_INTEGER).map((key) =>
    requiredString({ tagKeys: key }, 'tagKeys'),
  );
  await api.backend.untagResource(api, { resourceArn, tagKeys });
  return {};
};

/** ListTagsForResource. */
export const ListTagsForResource: OperationHandler = async (api, input) => {
  const resourceArn = requiredString(input, 'resourceArn');
  return { tags: api.backend.listTagsForResource(api, { resourceArn }) };
};
