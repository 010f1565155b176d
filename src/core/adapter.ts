import type { ChannelPoster } from './delivery.ts';

/**
 * One way of reaching the bot — a chat platform or the terminal — as the composition root (src/main.ts)
 * runs it, after Hubot's Adapter: main builds the list from the settings and runs one loop over it (start,
 * digest posters, readiness; stop in reverse on shutdown), so no platform needs a branch of its own there.
 * The adapter translates its transport to the core and back; the core knows nothing of this interface.
 */
export interface Adapter {
  /** The `Caller.platform` of the commands it takes and the `ChannelPoster.platform` of its digests; names its /readyz check. */
  readonly platform: string;
  /**
   * Connects (or listens, or opens the prompt) and takes commands from then on. Rejects with an
   * {@link AdapterStartError} when the operator's settings are at fault (a refused token, a port in use).
   */
  start(): Promise<void>;
  /** Stops taking commands and lets go of the platform. Safe after a failed start and when called twice. */
  stop(): Promise<void>;
  /** Once started: posts digests into this platform's channels. Without it the platform gets no digests. */
  poster?(): ChannelPoster;
  /** Once started: connected and taking commands (a /readyz check). Without it nothing is checked. */
  ready?(): boolean;
  /**
   * Resolves when the adapter has ended by itself (the shell at `exit` or the end of its input); the bot then
   * shuts down as on SIGTERM. Without it the adapter runs until it is stopped.
   */
  readonly ended?: Promise<void>;
}

/**
 * An adapter could not start for a reason the operator must fix; the message says which setting, never a
 * secret. main prints it alone and exits with code 2; any other start failure is a bug and keeps its stack.
 */
export class AdapterStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AdapterStartError';
  }
}
