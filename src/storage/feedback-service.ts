import type { FeedbackEntry, FeedbackService } from '../core/feedback-port.ts';
import type { FeedbackRow, FeedbackStore } from './types.ts';

/** The feedback port over the store. */
export class StoreFeedbackService implements FeedbackService {
  constructor(private readonly store: FeedbackStore) {}

  record(e: FeedbackEntry): Promise<boolean> {
    return this.store.recordFeedback({
      platform: e.platform,
      userId: e.userId,
      question: e.question,
      command: e.command,
      lang: e.lang,
      answer: e.answer,
      helpful: e.helpful,
      createdAt: e.at.getTime(),
    });
  }

  async notHelpful(limit = 200): Promise<FeedbackEntry[]> {
    return (await this.store.unhelpfulFeedback(limit)).map(entry);
  }
}

function entry(r: FeedbackRow): FeedbackEntry {
  return {
    platform: r.platform,
    userId: r.userId,
    question: r.question,
    command: r.command,
    lang: r.lang,
    answer: r.answer,
    helpful: r.helpful,
    at: new Date(r.createdAt),
  };
}
