// Test helper: a loopback HTTP "platform" the worker processes post digests to. It records every
// request as it arrives (before answering, so a sender killed mid-request still counts as posted),
// and can deduplicate by nonce as Discord does with enforce_nonce.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PlatformRequest {
  instance: string;
  channelId: string;
  nonce: string;
  title: string;
  fields: { name: string; value: string }[];
}

export class FakePlatform {
  /** Every request, in arrival order. */
  readonly requests: PlatformRequest[] = [];
  /** Arrival times (ms, performance.now()) of the requests, same order. */
  readonly arrivals: number[] = [];
  /** Messages that exist in channels (after nonce deduplication when enabled). */
  readonly messages = new Map<string, { id: string; request: PlatformRequest }[]>();
  private readonly byNonce = new Map<string, string>();
  private server?: Server;
  private n = 0;
  url = '';

  constructor(private readonly options: { dedupeByNonce: boolean; delayMs?: number }) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as PlatformRequest;
        this.requests.push(body);
        this.arrivals.push(performance.now());
        let id = this.options.dedupeByNonce ? this.byNonce.get(body.nonce) : undefined;
        if (!id) {
          id = `m${++this.n}`;
          this.byNonce.set(body.nonce, id);
          const list = this.messages.get(body.channelId) ?? [];
          list.push({ id, request: body });
          this.messages.set(body.channelId, list);
        }
        const answer = () => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ messageId: id }));
        };
        if (this.options.delayMs) setTimeout(answer, this.options.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  requestsPerChannel(): Map<string, PlatformRequest[]> {
    const out = new Map<string, PlatformRequest[]>();
    for (const r of this.requests) out.set(r.channelId, [...(out.get(r.channelId) ?? []), r]);
    return out;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
