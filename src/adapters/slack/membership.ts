import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger.ts';

/**
 * Whether the bot can post in a channel on its own (a digest), before anything is stored: yes in a DM, in a
 * channel it is a member of, and in any public channel (chat:write.public); no in a private channel it was not
 * invited to, which conversations.info does not show it (channel_not_found). A lookup that fails otherwise (a
 * missing scope on an older install, an outage) says yes: the delivery reports a real refusal without turning the
 * digest off.
 */
export async function canPostIn(client: webApi.WebClient, channelId: string, log: Logger): Promise<boolean> {
  if (channelId.startsWith('D')) return true;
  try {
    const { channel } = await client.conversations.info({ channel: channelId });
    return Boolean(channel?.is_member || channel?.is_im || channel?.is_private === false);
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error === 'channel_not_found') return false;
    log.warn({ err, channelId }, 'could not check whether the bot is in the channel; subscribing anyway');
    return true;
  }
}
