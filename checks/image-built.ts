import { resultForError } from '../src/check/common.js';
import { diagnoses } from '../src/check/diagnoses.js';
import { fail, pass, type Check } from '../src/check/types.js';
import { inspectImage, listImages } from '../src/docker/cli.js';

/** Lesson 05: the demo image exists locally under the name and tag the lesson uses. */
const check: Check = async (ctx, params) => {
  const image = typeof params.image === 'string' ? params.image : ctx.localImage;
  try {
    const found = await inspectImage(image, ctx.env);
    if (found) return pass(`'${image}' is built`, [`Image id: ${found.id}`, `Size: ${(found.size / 1e6).toFixed(1)} MB`, `Created: ${found.created}`]);
    const name = image.split(':')[0]!;
    const similar = (await listImages(ctx.env)).filter((e) => e.repository === name || e.repository.endsWith(`/${name}`)).map((e) => `${e.repository}:${e.tag}`);
    return fail(`no local image '${image}'`, diagnoses.imageNotBuilt(image, similar), [`docker image inspect ${image}: no such image`]);
  } catch (error) {
    return resultForError(error, 'docker');
  }
};
export default check;
