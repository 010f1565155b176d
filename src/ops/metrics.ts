import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RequestEvent, RequestMetrics } from '../core/metrics.ts';
import type { DigestMetrics } from '../digest/scheduler.ts';

/**
 * The process's Prometheus metrics (prom-client), served at GET /metrics. Every label value comes from a
 * closed set: platforms, the registry's command names (or `none`), outcomes, digest events. No user text, no
 * channel or user id and no secret is ever a label.
 */
export interface Metrics {
  readonly registry: Registry;
  /** For the core (Bot): requests, answer latency, answer-cache lookups. */
  readonly requests: RequestMetrics;
  /** For the digest scheduler: due, sent, late, skipped, failed…, claim takeovers. */
  readonly digests: DigestMetrics;
  /** For the store: a statement, batch or migration the database failed. */
  databaseError(): void;
  /** The exposition text, and its content type. */
  text(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  /** The platforms this process serves (their request counters start at 0). */
  platforms: string[];
  /** The command paths the registry knows (`troops`, `digest subscribe`): the only values of `command`. */
  commands: string[];
  /** Node's default metrics (event-loop lag, heap, CPU, GC…); default true. Tests turn them off for speed. */
  defaultMetrics?: boolean;
}

/** Digest outcomes, each one line in the delivery log. */
const DIGEST_OUTCOMES = ['sent', 'late', 'skipped', 'rejected', 'failed', 'retried', 'disabled'] as const;
/** What else happens to claims: won, held by another instance, lost before sending, found already posted, handed back. */
const CLAIM_EVENTS = { claimed: 'claimed', contended: 'contended', lost: 'lost', found: 'found_posted', released: 'released' } as const;

/** Seconds: a cached answer takes microseconds, a cold `ask` a few milliseconds, a digest command a database round trip. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const commands = new Set(options.commands);
  const requests = new Counter({
    name: 'niger_watch_requests_total',
    help: 'Requests answered, by platform, command and outcome (answered, declined, error = internal failure).',
    labelNames: ['platform', 'command', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'niger_watch_answer_duration_seconds',
    help: 'Time from a request reaching the core to its reply, by platform and command.',
    labelNames: ['platform', 'command'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const cache = new Counter({
    name: 'niger_watch_answer_cache_lookups_total',
    help: 'Answer-cache lookups: hit (answered from the cache) or miss (computed).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const digestsDue = new Counter({
    name: 'niger_watch_digests_due_total',
    help: 'Digest subscriptions found due by this instance (a due digest seen by two instances counts on both).',
    registers: [registry],
  });
  const digests = new Counter({
    name: 'niger_watch_digests_total',
    help: 'Digest deliveries by outcome, as recorded in the delivery log by this instance.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const takeovers = new Counter({
    name: 'niger_watch_digest_claim_takeovers_total',
    help: 'Digest claims this instance took over: an instance that stopped, or a retry whose time came.',
    registers: [registry],
  });
  const claims = new Counter({
    name: 'niger_watch_digest_claim_events_total',
    help: 'Digest claims won, held by another instance (contended), lost before sending, found already posted, handed back at shutdown.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const databaseErrors = new Counter({
    name: 'niger_watch_database_errors_total',
    help: 'Database statements, batches and migrations that failed.',
    registers: [registry],
  });

  // Every series that can appear starts at 0, so that rate() and increase() see its first request.
  const label = (command: string) => (commands.has(command) ? command : 'none');
  for (const platform of options.platforms) {
    for (const command of [...commands, 'none']) {
      for (const outcome of ['answered', 'declined', 'error'] as const) requests.labels(platform, command, outcome).inc(0);
      latency.zero({ platform, command });
    }
  }
  cache.labels('hit').inc(0);
  cache.labels('miss').inc(0);
  for (const outcome of DIGEST_OUTCOMES) digests.labels(outcome).inc(0);
  for (const event of Object.values(CLAIM_EVENTS)) claims.labels(event).inc(0);

  return {
    registry,
    requests: {
      request(e: RequestEvent) {
        const command = label(e.command);
        requests.labels(e.platform, command, e.outcome).inc();
        latency.labels(e.platform, command).observe(e.seconds);
        if (e.cache !== 'off') cache.labels(e.cache).inc();
      },
    },
    digests: {
      count(event, n) {
        if (n <= 0) return;
        if (event === 'due') digestsDue.inc(n);
        else if (event === 'takenOver') takeovers.inc(n);
        else if ((DIGEST_OUTCOMES as readonly string[]).includes(event)) digests.labels(event).inc(n);
        else if (event in CLAIM_EVENTS) claims.labels(CLAIM_EVENTS[event as keyof typeof CLAIM_EVENTS]).inc(n);
      },
    },
    databaseError: () => databaseErrors.inc(),
    text: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
