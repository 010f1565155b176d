import { adapterContract } from '../contract/adapter-contract.ts';
import { checkMessage, slackMentions, visibleText } from '../fakes/slack.ts';
import { slashOverHttp, startHarness } from './harness.ts';

/** Slack wants a slash command acknowledged within 3 s; later, the user sees "operation_timeout". */
const ACK_DEADLINE_MS = 3000;

// Each command goes through real Bolt over signed HTTP, as /niger would; the driver reports what the user
// sees of the answer, in the ack or through the response_url: the blocks flattened to text (links shown as
// their labels, entities decoded), who can see it, what Slack would ping and refuse.
adapterContract('slack', async (bot) => {
  const h = await startHarness(bot);
  return {
    async send(text) {
      // Typed text arrives as Slack's client sends it: `&`, `<` and `>` as entities, so that typed markup
      // (`<!channel>`) is text, not a mention, until something decodes it and sends it back out unescaped.
      const typed = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      const { message, ackMs } = await slashOverHttp(h, typed);
      const refused = checkMessage(message);
      return {
        text: visibleText(message),
        // A command's answer without response_type is ephemeral: Slack's default.
        audience: message.response_type === 'in_channel' ? 'channel' : 'caller',
        mentions: slackMentions(message),
        overLimits: refused ? [refused.error, ...refused.details] : [],
        ack: { ms: ackMs, deadlineMs: ACK_DEADLINE_MS },
      };
    },
    close: () => h.close(),
  };
});
