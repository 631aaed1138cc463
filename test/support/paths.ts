import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The shared real-data folder beside the checkout; tests read it in place, never copy it into the repo. */
export const SHARED_DATA = resolve(PROJECT_ROOT, '..', 'shared', 'data');
export const dataPath = (...parts: string[]) => join(SHARED_DATA, ...parts);
