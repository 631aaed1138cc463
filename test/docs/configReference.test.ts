import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConfigReference } from '../../src/app/docs/configReference.ts';
import { PROJECT_ROOT } from '../support/paths.ts';

const DOC = join(PROJECT_ROOT, 'docs', 'config-reference.md');

describe('docs/config-reference.md', () => {
  it('is what the schemas say (UPDATE_DOCS=1 rewrites it)', () => {
    const generated = renderConfigReference();
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, generated);
    expect(readFileSync(DOC, 'utf8')).toBe(generated);
  });
});
