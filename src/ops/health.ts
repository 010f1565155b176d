import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { maskSecrets, type Logger } from '../logger.ts';
import type { Metrics } from './metrics.ts';

/**
 * One thing /readyz checks. `check` resolves when it holds and rejects (or returns false) when it does not;
 * it is given `timeoutMs` before it counts as failed.
 */
export interface ReadinessCheck {
  name: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: a check that returns nothing (a void function) passes; undefined would reject those
  check(): Promise<boolean | void> | boolean | void;
}

export interface HealthOptions {
  /** The checks of /readyz, read at each request (adapters join as they start). */
  checks: () => ReadinessCheck[];
  /** Serves GET /metrics when given. */
  metrics?: Metrics;
  log: Logger;
  /** A check that has not answered in this time fails (default 2 s): a load balancer must not hang on us. */
  timeoutMs?: number;
}

/** Answers a request (true) when it is one of ours: GET or HEAD of /healthz, /readyz, /metrics. */
export type HealthRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * GET /healthz: 200 while the process serves HTTP (liveness). GET /readyz: 200 when every check holds, else
 * 503; the JSON body names each check as "ok" or "failed" (the reasons go to the log, never into the body,
 * which a public port serves). GET /metrics: Prometheus text. Anything else is not ours (false).
 */
export function healthRoutes(options: HealthOptions): HealthRoutes {
  const timeoutMs = options.timeoutMs ?? 2000;
  // Reasons are logged when a check's state changes, not at every probe.
  const lastFailed = new Map<string, boolean>();
  const run = async (c: ReadinessCheck): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    let ok: boolean;
    let reason: string | undefined;
    try {
      ok = (await Promise.race([Promise.resolve().then(() => c.check()), late])) !== false;
    } catch (err) {
      ok = false;
      reason = maskSecrets(String((err as Error)?.message ?? err)).slice(0, 300);
    } finally {
      clearTimeout(timer);
    }
    if (lastFailed.get(c.name) !== !ok) {
      if (!ok) options.log.warn({ check: c.name, reason }, 'readiness check failed');
      else if (lastFailed.has(c.name)) options.log.info({ check: c.name }, 'readiness check passes again');
      lastFailed.set(c.name, !ok);
    }
    return ok;
  };

  const readyz = async (res: ServerResponse) => {
    const checks = options.checks();
    const results = await Promise.all(checks.map(run));
    const body = {
      status: results.every(Boolean) ? 'ready' : 'unready',
      checks: Object.fromEntries(checks.map((c, i) => [c.name, results[i] ? 'ok' : 'failed'])),
      failed: checks.filter((_, i) => !results[i]).map((c) => c.name),
    };
    json(res, results.every(Boolean) ? 200 : 503, body);
  };

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/healthz') {
      json(res, 200, { status: 'ok' });
      return true;
    }
    if (path === '/readyz') {
      readyz(res).catch((err: unknown) => fail(res, options.log, err));
      return true;
    }
    if (path === '/metrics' && options.metrics) {
      const metrics = options.metrics;
      metrics
        .text()
        .then((text) => {
          res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' }).end(text);
        })
        .catch((err: unknown) => fail(res, options.log, err));
      return true;
    }
    return false;
  };
}

/** A server of its own for the routes (METRICS_PORT); anything else is 404. Resolves with the bound port. */
export async function startHealthServer(routes: HealthRoutes, port: number, host?: string): Promise<{ server: Server; port: number; stop(): Promise<void> }> {
  const server = createServer({ headersTimeout: 5000, requestTimeout: 10_000, keepAliveTimeout: 5000 }, (req, res) => {
    if (!routes(req, res)) res.writeHead(404).end();
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, ...(host ? { host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, log: Logger, err: unknown): void {
  log.error({ err }, 'health endpoint failed');
  if (!res.headersSent) res.writeHead(500).end();
}
