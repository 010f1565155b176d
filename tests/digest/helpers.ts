// Test helper (not a test file): an in-test ChannelPoster and a scheduler factory.
import type { ChannelPoster, PostResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/reply.ts';
import { DigestScheduler, type SchedulerOptions } from '../../src/digest/scheduler.ts';
import { KnowledgeBase } from '../../src/knowledge/kb.ts';
import type { DigestStore } from '../../src/storage/types.ts';
import { captureLogger } from '../helpers/bot.ts';

let kb: KnowledgeBase | undefined;
export function testKb(): KnowledgeBase {
  kb ??= KnowledgeBase.load();
  return kb;
}

export interface RecordedPost {
  channelId: string;
  reply: Reply;
  nonce: string;
  messageId: string;
}

type Behaviour = Error | 'hang' | ((channelId: string) => Promise<PostResult>);

/** A ChannelPoster that records every post and can be told to fail or hang, per channel, in order. */
export class RecordingPoster implements ChannelPoster {
  readonly posts: RecordedPost[] = [];
  readonly attempts: string[] = [];
  private readonly plans = new Map<string, Behaviour[]>();
  private n = 0;

  constructor(readonly platform = 'slack') {}

  /** The next posts to `channelId` behave like this, one entry per attempt. */
  plan(channelId: string, ...behaviours: Behaviour[]): void {
    this.plans.set(channelId, [...(this.plans.get(channelId) ?? []), ...behaviours]);
  }

  async post(channelId: string, reply: Reply, nonce: string): Promise<PostResult> {
    this.attempts.push(channelId);
    const next = this.plans.get(channelId)?.shift();
    if (next === 'hang') return new Promise<PostResult>(() => undefined);
    if (next instanceof Error) throw next;
    if (typeof next === 'function') return next(channelId);
    const messageId = `${this.platform}-msg-${++this.n}`;
    this.posts.push({ channelId, reply, nonce, messageId });
    return { messageId };
  }

  countFor(channelId: string): number {
    return this.posts.filter((p) => p.channelId === channelId).length;
  }
}

export function silentLog() {
  return captureLogger('silent').log;
}

/** A scheduler with no pacing (tests of pacing turn it on themselves). */
export function makeScheduler(store: DigestStore, posters: ChannelPoster[], options: Partial<SchedulerOptions> = {}): DigestScheduler {
  return new DigestScheduler({
    store,
    kb: testKb(),
    log: options.log ?? silentLog(),
    posters,
    pacing: { slack: null, discord: null, shell: null },
    ...options,
  });
}

export const at = (iso: string) => new Date(iso);

/** The same knowledge base with `deploymentId` approved from chat at `atIso`: the next digest lists it as a new figure. */
export function withApproved(kb: KnowledgeBase, deploymentId: string, atIso: string): KnowledgeBase {
  return new KnowledgeBase(kb.data, { approvedAt: new Map([...kb.approvedAt, [`deployments/${deploymentId}`, Date.parse(atIso)]]) });
}
