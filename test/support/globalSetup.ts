// @ts-expect-error: a plain .mjs build script without type declarations.
import { buildCli } from '../../scripts/build.mjs';

/** Tests that spawn the binary run dist/: build it from the current sources first (~0.3 s). */
export default async function setup(): Promise<void> {
  await buildCli({ quiet: true });
}
