import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { reply } from '../src/core/reply.ts';
import { quote } from '../src/core/sanitize.ts';
import { analyzeQuestion } from '../src/knowledge/question.ts';

const CAN_ANSWER = [
  'how many French (or US, German, Italian) troops were in Niger at a date, e.g. "how many French soldiers were in Niger in September 2023?"',
  'who ruled Niger at a date, e.g. "who ruled Niger in June 2023?"',
  'what happened and when, e.g. "what happened after the coup?" or "timeline of the withdrawal"',
  'where foreign forces were based, e.g. "where were French troops stationed?"',
  'who someone is, e.g. "who is Tiani?"',
];

export default defineCommand({
  name: 'ask',
  description: 'Ask a question in plain words; it is routed to the command that answers it',
  options: z.object({
    question: z.string().min(1).max(2000).describe('Your question, e.g. how many French soldiers are in Niger?').meta({ kind: 'text' }),
  }),
  examples: ['ask how many French soldiers were in Niger in September 2023?', 'ask who rules Niger?'],
  cacheable: true,
  async handler(input, ctx) {
    const q = analyzeQuestion(input.question, ctx.kb, ctx.now());
    switch (q.intent) {
      case 'troops':
        return ctx.run('troops', { country: q.country, date: q.date });
      case 'ruler':
        return ctx.run('ruler', { date: q.date });
      case 'timeline': {
        const topic = q.topic ?? (q.country && /withdraw|troops|soldiers/.test(input.question.toLowerCase()) ? 'withdrawal' : undefined);
        // "latest developments" names the present, not a period to list: show the newest events.
        const from = q.date && !/^(now|today|latest|current|currently|present|recent)$/i.test(q.date) ? q.date : undefined;
        return ctx.run('timeline', { from, topic, actor: q.person?.name });
      }
      case 'places':
        return ctx.run('places', { place: q.place?.name });
      case 'who':
        return ctx.run('who', { name: q.person!.name });
      case 'sources':
        return ctx.run('sources', {});
      case 'help':
        return ctx.run('help', {});
      default:
        return reply({
          command: 'ask',
          title: 'I don’t know',
          body: `${q.decline ?? 'I can’t answer that from my sourced knowledge base, and I won’t guess.'} You asked: “${quote(input.question, 120)}”.\n\nWhat I can answer:`,
          items: CAN_ANSWER,
          answered: false,
        });
    }
  },
});
