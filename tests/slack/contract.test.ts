import { adapterContract } from '../contract/adapter-contract.ts';
import { checkMessage, visibleText } from '../fakes/slack.ts';
import { slashOverHttp, startHarness } from './harness.ts';

// Each command goes through real Bolt over signed HTTP; the driver returns what the user sees: the answer's
// blocks flattened to text, links shown as their labels, entities decoded.
adapterContract('slack', async (bot) => {
  const h = await startHarness(bot);
  return {
    async send(text) {
      const { message } = await slashOverHttp(h, text);
      const refused = checkMessage(message);
      if (refused) throw new Error(`Slack would refuse the reply: ${refused.error} ${refused.details.join('; ')}`);
      return visibleText(message);
    },
    close: () => h.close(),
  };
});
