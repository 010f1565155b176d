import { adapterContract } from '../contract/adapter-contract.ts';
import { discordMentions, messageViolations, visibleText } from '../fakes/discord.ts';
import { interactionFor, startHarness } from './harness.ts';

/** Discord wants the first response to an interaction within 3 s (the fake answers a later one 404, 10062). */
const RESPONSE_DEADLINE_MS = 3000;

/** The shared contract, driven through the fake gateway and the real discord.js client. */
adapterContract('discord', async (bot) => {
  const harness = await startHarness(bot);
  return {
    async send(text) {
      const { path, options } = interactionFor(bot, text);
      const sent = harness.fake.dispatchInteraction({ path, options });
      const result = await sent.result(8000);
      const ack = { ms: result.callback.at - sent.at, deadlineMs: RESPONSE_DEADLINE_MS };
      if (result.callback.status !== 204) {
        // Refused (over a limit, or too late): the user sees Discord's own failure notice instead.
        const violations = messageViolations(result.callback.body?.data ?? {});
        return {
          text: 'The application did not respond',
          audience: 'caller',
          mentions: [],
          overLimits: [`callback answered ${result.callback.status}: ${JSON.stringify(result.callback.response)}`, ...violations],
          ack,
        };
      }
      // The body the bot sent with the answer: the callback's own, or the edit or follow-up of a deferral.
      const answer = result.deferred
        ? result.requests.filter((r) => r.status < 300 && (r.method === 'PATCH' || r.route === 'POST /webhooks/:app/:token')).at(-1)?.body
        : result.callback.body.data;
      return {
        text: visibleText(result.message),
        audience: result.ephemeral ? 'caller' : 'channel',
        mentions: discordMentions(answer),
        overLimits: messageViolations(answer, { requireContent: true }),
        ack,
      };
    },
    close: () => harness.close(),
  };
});
