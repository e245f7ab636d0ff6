#!/usr/bin/env node
// The `cot` command as installed by npm: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./cot.ts');
