#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step, the sources are the program.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/cli/main.ts');
