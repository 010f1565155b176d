/**
 * What the core reports about each request it answers. The composition root wires it to prom-client
 * (src/ops/metrics.ts); the core itself depends on no metrics library, and runs without one.
 */
export interface RequestMetrics {
  request(event: RequestEvent): void;
}

export interface RequestEvent {
  /** The caller's platform (`shell`, `slack`, `discord`). */
  platform: string;
  /**
   * The command that ran, as the registry names it (`troops`, `ask`, `digest subscribe`), or `none` when the
   * text named no command the bot has: never the user's own words, so the values are few.
   */
  command: string;
  /**
   * `answered`; `declined` (the bot does not know, or will not answer, or the request had a mistake the user
   * is told about); `error` (an internal failure, logged with an error id).
   */
  outcome: 'answered' | 'declined' | 'error';
  /** `hit`: answered from the answer cache; `miss`: looked up there and computed; `off`: not cacheable by key. */
  cache: 'hit' | 'miss' | 'off';
  /** From the request's arrival in the core to its reply. */
  seconds: number;
}
