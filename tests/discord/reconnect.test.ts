import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visibleText } from '../fakes/discord.ts';
import { captureLogger, testBot } from '../helpers/bot.ts';
import { startHarness, TEST_TOKEN, type Harness } from './harness.ts';

let h: Harness;
const logs = captureLogger('trace');

beforeAll(async () => {
  // A short heartbeat so a zombie connection is noticed in well under a second.
  h = await startHarness(await testBot(), { fake: { heartbeatInterval: 200 }, log: logs });
});

afterAll(async () => {
  await h?.close();
});

async function answered(text = 'France'): Promise<string> {
  const result = await h.fake.dispatchInteraction({ path: 'troops', options: { country: text, date: '2023-09' } }).result(8000);
  expect(result.callback.status).toBe(204);
  return visibleText(result.message);
}

describe('Discord gateway resilience', () => {
  it('heartbeats are acknowledged and the connection stays up', async () => {
    const since = h.fake.frames.length;
    await h.fake.waitForFrame((f) => f.direction === 'in' && f.op === 1, 2000, since);
    await h.fake.waitForFrame((f) => f.direction === 'out' && f.op === 11, 2000, since);
    expect(await answered()).toContain('1,500');
  });

  it('when the gateway stops acknowledging heartbeats, the client resumes on a new connection and answers', async () => {
    const since = h.fake.frames.length;
    h.fake.stopAckingHeartbeats();
    const resume = await h.fake.waitForFrame((f) => f.direction === 'in' && f.op === 6, 5000, since);
    expect(resume.d.session_id).toBeTruthy();
    await h.fake.waitForFrame((f) => f.direction === 'out' && f.t === 'RESUMED', 5000, since);
    // It resumed (no new IDENTIFY) on a different connection.
    const identifies = h.fake.frames.slice(since).filter((f) => f.direction === 'in' && f.op === 2);
    expect(identifies).toHaveLength(0);
    expect(resume.connection).not.toBe(h.fake.frames[since]!.connection);
    expect(await answered()).toContain('1,500');
  });

  it('when the socket drops, the client resumes and answers the next interaction', async () => {
    const since = h.fake.frames.length;
    h.fake.dropConnection();
    await h.fake.waitForFrame((f) => f.direction === 'out' && f.t === 'RESUMED', 5000, since);
    expect(await answered('Germany')).toContain('German');
  });

  it('an interaction dispatched while the socket is down is replayed on RESUME and answered', async () => {
    const since = h.fake.frames.length;
    h.fake.dropConnection();
    const sent = h.fake.dispatchInteraction({ path: 'ruler', options: { date: 'June 2023' } });
    const result = await sent.result(8000);
    expect(visibleText(result.message)).toContain('Mohamed Bazoum');
    // The dispatch went out after the resume, with its original sequence number.
    const replayed = h.fake.frames.slice(since).find((f) => f.direction === 'out' && f.t === 'INTERACTION_CREATE');
    expect(replayed?.s).toBe(sent.seq);
    expect(h.fake.frames.slice(since).some((f) => f.direction === 'in' && f.op === 6)).toBe(true);
  });

  it('after a close with a resumable code (4000) the client resumes', async () => {
    const since = h.fake.frames.length;
    h.fake.dropConnection(4000);
    await h.fake.waitForFrame((f) => f.direction === 'out' && f.t === 'RESUMED', 5000, since);
    expect(await answered()).toContain('1,500');
  });

  it('a 429 on the interaction response is waited out and the answer still arrives once', async () => {
    h.fake.failNext(1, { kind: 'rate_limited', retryAfter: 0.1 }, (r) => r.route === 'POST /interactions/:id/:token/callback');
    const sent = h.fake.dispatchInteraction({ path: 'who', options: { name: 'Tiani' } });
    const ok = await h.fake.waitFor((r) => r.interactionId === sent.id && r.status === 204, 5000);
    const attempts = h.fake.requests.filter((r) => r.interactionId === sent.id);
    expect(attempts.map((r) => r.status)).toEqual([429, 204]);
    expect(ok.at - attempts[0]!.at).toBeGreaterThanOrEqual(100);
    expect(visibleText(ok.body.data)).toContain('Tiani');
  });

  it('logs reconnects but never the bot token or an interaction token, even at trace level', () => {
    const lines = logs.lines();
    expect(lines.some((l) => l.includes('Discord gateway'))).toBe(true);
    expect(lines.some((l) => l.includes('discord.js'))).toBe(true); // debug output is forwarded, scrubbed
    const tokens = h.fake.requests.filter((r) => r.route.includes(':token')).map((r) => r.path.split('/')[3]!);
    expect(tokens.length).toBeGreaterThan(3);
    const all = lines.join('\n');
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain(TEST_TOKEN.split('.').slice(0, 2).join('.'));
    expect(all).not.toContain(TEST_TOKEN.split('.')[2]!);
    // The 429 above made discord.js print its REST debug, which names the interaction route.
    expect(all).toContain('rate limit');
    for (const t of tokens) expect(all).not.toContain(t);
  });
});
