import { createRequire } from 'node:module';
import type * as chrono from 'chrono-node/en';
import type { Language } from './lexicon.ts';

// Each language's parser alone: the package's index loads every locale (~0.1 s of each start).
// Each loads when a question first needs it, not at start (~20 ms for English, as much again for French and
// German, and most questions name no date chrono must read). Required, since the date readers are synchronous;
// chrono-node's CommonJS build, so the three share one copy of its core.
const require = createRequire(import.meta.url);

/** chrono-node's parser of each language. */
export const CHRONO: Record<Language, { parse: typeof chrono.parse }> = {
  get en() {
    return require('chrono-node/en') as typeof import('chrono-node/en');
  },
  get fr() {
    return require('chrono-node/fr') as typeof import('chrono-node/fr');
  },
  get de() {
    return require('chrono-node/de') as typeof import('chrono-node/de');
  },
};
