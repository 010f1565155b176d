/**
 * The adapter's own HTTP receiver (src/adapters/slack/receiver.ts), driven over real sockets: what it
 * refuses before reading a body, the limits on the body, signatures answered once, event ids shared by
 * instances through the store, and Bolt's Receiver contract (challenge, ssl_check, retry headers).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/bot.ts';
import { openStore } from '../../src/storage/open.ts';
import type { SqlDigestStore } from '../../src/storage/sql-store.ts';
import {
  eventCallback,
  sendEvent,
  sendSlashCommand,
  signedHeaders,
  signedSlashCommand,
  slackSignature,
  slackTs,
  slashCommandFields,
  waitFor,
  type ApiCall,
} from '../fakes/slack.ts';
import { testBot } from '../helpers/bot.ts';
import { SIGNING_SECRET, startHarness, type Harness } from './harness.ts';

const LIMIT = 4096;

let bot: Bot;
let h: Harness;
let port: number;
const retries: { retryNum?: number; retryReason?: string }[] = [];

beforeAll(async () => {
  bot = await testBot();
  h = await startHarness(bot, { app: { receiverLimits: { bodyBytes: LIMIT, bodyTimeoutMs: 300 } } });
  port = h.slack.port()!;
  h.slack.app.use(async ({ context, next }) => {
    retries.push({ retryNum: context.retryNum, retryReason: context.retryReason });
    await next();
  });
});
afterAll(async () => {
  await h?.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** A raw connection: `head` (request line and headers) and whatever body parts are given; collects the answer. */
function raw(head: string[], ...body: (string | Buffer)[]): { socket: Socket; answer: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => {
    answer += d.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  for (const part of body) socket.write(part);
  return { socket, answer: () => answer, closed };
}

function postHead(headers: Record<string, string>, framing: string): string[] {
  return ['POST /slack/events HTTP/1.1', 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), framing];
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
const answered = (c: { answer: () => string }) => waitFor(() => statusOf(c.answer()), 5000, 'an HTTP status line');

describe('refused before the body is read', () => {
  it.each([
    ['a stale timestamp', { 'x-slack-request-timestamp': String(now() - 6 * 60) }],
    ['a timestamp 10 minutes ahead', { 'x-slack-request-timestamp': String(now() + 10 * 60) }],
    ['no timestamp', {}],
    ['a timestamp that is not a number', { 'x-slack-request-timestamp': 'soon' }],
    ['no signature', { 'x-slack-request-timestamp': String(now()), 'x-slack-signature': undefined }],
  ])('%s: 401 while the declared body has not been sent at all', async (_label, headers) => {
    const all: Record<string, string> = { 'content-type': 'application/json', 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) delete all[k];
      else all[k] = v;
    }
    const c = raw(postHead(all, 'Content-Length: 1000'));
    try {
      expect(await answered(c)).toBe(401);
      // And the connection is closed rather than kept waiting for the body.
      await c.closed;
    } finally {
      c.socket.destroy();
    }
  });

  it('a declared length over the limit: 413 at once', async () => {
    const c = raw(
      postHead(
        { 'content-type': 'application/json', 'x-slack-request-timestamp': String(now()), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
        `Content-Length: ${4 * 1024 * 1024}`,
      ),
    );
    try {
      expect(await answered(c)).toBe(413);
      await c.closed;
    } finally {
      c.socket.destroy();
    }
  });

  it('other paths and methods: 404', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/other`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('the body', () => {
  it('a chunked body growing past the limit: 413 once the limit is passed, the connection closed', async () => {
    const headers = { 'content-type': 'application/json', 'x-slack-request-timestamp': String(now()), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    const over = Buffer.alloc(LIMIT + 1, 'a');
    const c = raw(postHead(headers, 'Transfer-Encoding: chunked'), `${over.length.toString(16)}\r\n`, over);
    try {
      expect(await answered(c)).toBe(413);
      await c.closed;
    } finally {
      c.socket.destroy();
    }
  });

  it('a body that stalls before its last byte: 408 after the body timeout, the connection closed', async () => {
    const body = JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(100) });
    const headers = { 'content-type': 'application/json', ...signedHeaders(SIGNING_SECRET, body, 'application/json') };
    const c = raw(postHead(headers, `Content-Length: ${body.length}`), body.slice(0, -1));
    try {
      expect(await answered(c)).toBe(408);
      await c.closed;
    } finally {
      c.socket.destroy();
    }
  });

  it('a signed body that is not JSON: 400', async () => {
    const body = 'not json';
    const res = await fetch(h.appUrl, { method: 'POST', headers: signedHeaders(SIGNING_SECRET, body, 'application/json'), body });
    expect(res.status).toBe(400);
  });
});

describe('the connection cap', () => {
  it('closes connections beyond maxConnections at once, and serves again when they are gone', async () => {
    const capped = await startHarness(bot, { app: { receiverLimits: { maxConnections: 3 } } });
    const capPort = capped.slack.port()!;
    const open = (): Promise<Socket> =>
      new Promise((resolve) => {
        const s = connect(capPort, '127.0.0.1', () => resolve(s));
        s.on('error', () => undefined);
      });
    const held = [await open(), await open(), await open()];
    try {
      // Each holds a request whose headers never end.
      for (const s of held) s.write('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const extra = await open();
      let got = '';
      extra.on('data', (d: Buffer) => (got += String(d)));
      extra.write('GET /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await new Promise<void>((resolve) => extra.once('close', () => resolve()));
      expect(got).toBe('');
    } finally {
      for (const s of held) s.destroy();
    }
    try {
      await waitFor(
        async () => {
          const res = await sendSlashCommand(capped.appUrl, SIGNING_SECRET, slashCommandFields(capped.fake, { text: 'ruler' })).catch(() => undefined);
          return res?.status === 200;
        },
        5000,
        'a command answered once the held connections are gone',
      );
    } finally {
      await capped.close();
    }
  });
});

describe('signatures answered once', () => {
  it('the same signed slash command sent again gets 401 and is not handled again', async () => {
    const marker = `replayed-${randomBytes(4).toString('hex')}`;
    const signed = signedSlashCommand(SIGNING_SECRET, slashCommandFields(h.fake, { text: `who ${marker}` }));
    const send = () => fetch(h.appUrl, { method: 'POST', headers: signed.headers, body: signed.body });
    const first = await send();
    expect(first.status).toBe(200);
    await first.text();
    const again = await send();
    expect(again.status).toBe(401);
    expect(await again.text()).toBe('');
    expect(h.handled.filter((c) => c.text.includes(marker))).toHaveLength(1);
  });

  it('the same body signed again with a new timestamp is a new request (as Slack signs a retry)', async () => {
    const fields = slashCommandFields(h.fake, { text: 'ruler' });
    expect((await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields, { timestamp: now() - 1 })).status).toBe(200);
    expect((await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields, { timestamp: now() })).status).toBe(200);
  });
});

describe('Bolt’s receiver contract', () => {
  it('answers the url_verification challenge', async () => {
    const res = await sendEvent(h.appUrl, SIGNING_SECRET, { type: 'url_verification', token: 'x', challenge: 'c-123' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ challenge: 'c-123' });
  });

  it('answers a signed ssl_check with an empty 200 and runs nothing', async () => {
    const before = h.handled.length;
    const res = await sendSlashCommand(h.appUrl, SIGNING_SECRET, { ssl_check: '1', token: 'x' });
    expect(res).toEqual({ status: 200, body: '' });
    expect(h.handled.length).toBe(before);
  });

  it('passes x-slack-retry-num and x-slack-retry-reason to Bolt as retryNum and retryReason', async () => {
    const body = JSON.stringify(
      eventCallback(h.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${h.fake.botUserId}> ruler`, ts: slackTs(), channel: 'C0RETRYHDR' }),
    );
    const timestamp = now();
    const res = await fetch(h.appUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
        'x-slack-retry-num': '2',
        'x-slack-retry-reason': 'http_timeout',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(retries.at(-1)).toEqual({ retryNum: 2, retryReason: 'http_timeout' });
  });

  it('logs refusals without the secret, the signature or the body', async () => {
    const marker = `secret-body-${randomBytes(4).toString('hex')}`;
    const fields = slashCommandFields(h.fake, { text: marker });
    const signature = slackSignature('f'.repeat(32), now(), new URLSearchParams(fields).toString());
    expect((await sendSlashCommand(h.appUrl, SIGNING_SECRET, fields, { signature })).status).toBe(401);
    const out = h.logLines().join('\n');
    expect(out).toContain('bad request signature');
    for (const s of [SIGNING_SECRET, signature, signature.slice(3), marker]) expect(out).not.toContain(s);
  });
});

describe('redelivered events across instances (a shared store)', () => {
  let store: SqlDigestStore;
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    store = await openStore('file::memory:');
    a = await startHarness(bot, { app: { seen: store } });
    b = await startHarness(bot, { app: { seen: store } });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store?.close();
  });
  const okPosts = (calls: ApiCall[], channel: string) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === channel && c.status === 200);

  it('an app_mention retried to the other instance is answered once', async () => {
    const body = eventCallback(a.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${a.fake.botUserId}> ruler`, ts: slackTs(), channel: 'C0SHARED' });
    expect((await sendEvent(a.appUrl, SIGNING_SECRET, body, { timestamp: now() - 1 })).status).toBe(200);
    await a.fake.waitFor(() => okPosts(a.fake.calls, 'C0SHARED')[0], 5000, 'the first answer');
    expect((await sendEvent(b.appUrl, SIGNING_SECRET, body, { timestamp: now() })).status).toBe(200);
    // A later mention to b is answered after the retry was processed.
    const later = eventCallback(b.fake, { type: 'app_mention', user: 'U0ANN', text: `<@${b.fake.botUserId}> ruler`, ts: slackTs(), channel: 'C0LATER' });
    await sendEvent(b.appUrl, SIGNING_SECRET, later);
    await b.fake.waitFor(() => okPosts(b.fake.calls, 'C0LATER')[0], 5000, 'the later answer');
    expect(okPosts(b.fake.calls, 'C0SHARED')).toHaveLength(0);
    expect(okPosts(a.fake.calls, 'C0SHARED')).toHaveLength(1);
  });

  it('a direct message retried to the other instance is answered once', async () => {
    const body = eventCallback(a.fake, { type: 'message', channel_type: 'im', channel: 'D0SHARED', user: 'U0ANN', text: 'who rules Niger?', ts: slackTs() });
    await sendEvent(a.appUrl, SIGNING_SECRET, body, { timestamp: now() - 1 });
    await a.fake.waitFor(() => okPosts(a.fake.calls, 'D0SHARED')[0], 5000, 'the first answer');
    await sendEvent(b.appUrl, SIGNING_SECRET, body, { timestamp: now() });
    const later = eventCallback(b.fake, { type: 'message', channel_type: 'im', channel: 'D0LATER', user: 'U0ANN', text: 'who rules Niger?', ts: slackTs() });
    await sendEvent(b.appUrl, SIGNING_SECRET, later);
    await b.fake.waitFor(() => okPosts(b.fake.calls, 'D0LATER')[0], 5000, 'the later answer');
    expect(okPosts(b.fake.calls, 'D0SHARED')).toHaveLength(0);
  });

  it('a signed request answered by one instance is refused by the other', async () => {
    const signed = signedSlashCommand(SIGNING_SECRET, slashCommandFields(a.fake, { text: 'ruler' }));
    expect((await fetch(a.appUrl, { method: 'POST', headers: signed.headers, body: signed.body })).status).toBe(200);
    expect((await fetch(b.appUrl, { method: 'POST', headers: signed.headers, body: signed.body })).status).toBe(401);
  });
});
