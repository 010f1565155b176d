/**
 * What makes a bot answer from the store rather than data/ alone: data/ imported as the seed, the knowledge base
 * rebuilt from the store's current revisions (and kept so, live), and the editors' services on the same store.
 * The long-running bot (main.ts) and the one-shot CLI (`npm run ask`) both compose it.
 */
import type { Services } from './core/services.ts';
import { DEFAULT_DATA_DIR, type KnowledgeData } from './knowledge/load.ts';
import { LiveKnowledge, type KnowledgeTarget } from './live-knowledge.ts';
import type { Logger } from './logger.ts';
import { StoreFeedbackService } from './storage/feedback-service.ts';
import { StoreProposalService } from './storage/proposal-service.ts';
import { StoreRevisionService } from './storage/revision-service.ts';
import { importSeed, REVISIONED_KINDS } from './storage/seed.ts';
import type { DigestStore } from './storage/types.ts';

/** How many entries with revisions data/ holds (see LiveKnowledgeOptions.seedEntries). */
export function seedEntries(data: KnowledgeData): number {
  return REVISIONED_KINDS.reduce((n, kind) => n + data[kind].length, 0);
}

/**
 * The services a store gives commands. `live` is read when an approval lands (it exists by then): the knowledge
 * reloads before the reply, then `afterApproval` (main's corrections) runs.
 */
export function storeServices(store: DigestStore, live: () => LiveKnowledge | undefined, afterApproval?: () => void): Services {
  return {
    revisions: new StoreRevisionService(store),
    posts: { recordPost: async (post) => store.recordPost?.(post) },
    proposals: new StoreProposalService(store, Date.now, async () => {
      await live()?.refresh();
      afterApproval?.();
    }),
    feedback: new StoreFeedbackService(store),
  };
}

/**
 * Imports data/ into the store (idempotent), then answers from the store's current revisions, live; `known:` asks
 * reach the store through `services`. Throws StorageError or DataError, with the bot still answering from data/.
 */
export async function answerFromStore(
  store: DigestStore,
  target: KnowledgeTarget & { kb: { data: KnowledgeData } },
  services: Services,
  log: Logger,
): Promise<LiveKnowledge> {
  await importSeed(store, DEFAULT_DATA_DIR, { log });
  const live = new LiveKnowledge({ store, target, words: target.kb.data, seedEntries: seedEntries(target.kb.data), log });
  await live.start();
  services.knowledgeAt = (day) => live.knowledgeAt(day);
  return live;
}
