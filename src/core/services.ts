import type { ChartService } from './charts-port.ts';
import type { KnowledgeBase } from '../knowledge/kb.ts';
import type { PostRecorder } from './delivery.ts';
import type { DigestService } from './digest-port.ts';
import type { FeedbackService } from './feedback-port.ts';
import type { ProposalService } from './proposals-port.ts';
import type { RevisionService } from './revisions-port.ts';

/**
 * Capabilities commands may use beyond the knowledge base, provided by the composition root
 * (src/main.ts). Optional so the core runs without them (e.g. a shell with no database).
 */
export interface Services {
  /** Daily digests (subscriptions, preview, history); absent when no store could be opened. */
  digest?: DigestService;
  /** The history of knowledge entries; absent when no store could be opened. */
  revisions?: RevisionService;
  /** Proposals of knowledge changes and editors' decisions; absent when no store could be opened. */
  proposals?: ProposalService;
  /** Helpful / Not helpful on answers; absent when no store could be opened. */
  feedback?: FeedbackService;
  /** Charts attached to answers (troop histories, the bases map); absent: answers are text alone. */
  charts?: ChartService;
  /**
   * The knowledge base as it was known at the end of a day (UTC, "YYYY-MM-DD", not in the future): what `known:`
   * answers from. Null when nothing was recorded by then; absent without a store.
   */
  knowledgeAt?: (day: string) => Promise<KnowledgeBase | null>;
  /** Where adapters record the entries an answer posted in a channel carried (corrections); absent without a store. */
  posts?: PostRecorder;
}
