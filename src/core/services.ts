import type { DigestService } from './digest-port.ts';

/**
 * Capabilities commands may use beyond the knowledge base, provided by the composition root
 * (src/main.ts). Optional so the core runs without them (e.g. a shell with no database).
 */
export interface Services {
  /** Daily digests (subscriptions, preview, history); absent when no store could be opened. */
  digest?: DigestService;
}
