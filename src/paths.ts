import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const parent = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/**
 * The project's folder (package.json, data/, locales/, var/), whether this file runs as src/paths.ts (tsx,
 * tests) or compiled as dist/src/paths.js (`npm start`). Files read at run time are found from here, not from
 * the module that reads them, so the compiled code reads the same data/ and locales/ as the sources.
 */
export const PROJECT_ROOT = basename(parent) === 'dist' ? dirname(parent) : parent;
