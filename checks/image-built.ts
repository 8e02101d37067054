import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { inspectImage, listImages } from '../src/docker/cli.js';
import { formatSize } from '../src/util/size.js';

/** Lesson 05: the demo image exists locally under the name and tag the lesson uses. */
const check: Check = async (ctx, params) => {
  const image = typeof params.image === 'string' ? params.image : ctx.localImage;
  try {
    const found = await inspectImage(image, ctx);
    if (found) return pass(`'${image}' is built`, [`Image id: ${found.id}`, `Size: ${formatSize(found.size)}`, `Created: ${found.created}`]);
    const name = image.split(':')[0]!;
    const similar = (await listImages(ctx)).filter((e) => e.repository === name || e.repository.endsWith(`/${name}`)).map((e) => `${e.repository}:${e.tag}`);
    return fail(`no local image '${image}'`, diagnoses.imageNotBuilt(ctx, image, similar), [`${ctx.client} image inspect ${image}: no such image`]);
  } catch (error) {
    return resultForError(error, ctx.client, ctx);
  }
};
export default check;
