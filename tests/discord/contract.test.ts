import { adapterContract } from '../contract/adapter-contract.ts';
import { visibleText } from '../fakes/discord.ts';
import { interactionFor, startHarness } from './harness.ts';

/** The shared contract, driven through the fake gateway and the real discord.js client. */
adapterContract('discord', async (bot) => {
  const harness = await startHarness(bot);
  return {
    async send(text) {
      const { path, options } = interactionFor(bot, text);
      const sent = harness.fake.dispatchInteraction({ path, options });
      const result = await sent.result();
      if (result.callback.status !== 204) throw new Error(`callback answered ${result.callback.status}: ${JSON.stringify(result.callback.response)}`);
      return visibleText(result.message);
    },
    close: () => harness.close(),
  };
});
