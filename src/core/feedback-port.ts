/**
 * The port through which answers' Helpful / Not helpful buttons are recorded (issue 14). The implementation lives in
 * src/storage/ (feedback is stored rows); the core only knows this interface.
 */

export interface FeedbackEntry {
  platform: string;
  userId: string;
  /** What was asked, as the text syntax would ask it again (a question as typed, `troops country:France date:…`). */
  question: string;
  /** The command that answered. */
  command: string;
  /** The language of the answer (a catalog language). */
  lang: string;
  /** The answer as plain text, as the person saw it. */
  answer: string;
  helpful: boolean;
  at: Date;
}

export interface FeedbackService {
  /** Records one person's verdict on one question; false (and nothing changed) when they gave one already. */
  record(entry: FeedbackEntry): Promise<boolean>;
  /** The "not helpful" verdicts, newest first: candidate test cases for the eval. */
  notHelpful(limit?: number): Promise<FeedbackEntry[]>;
}
