import type { ChannelPoster } from '../../core/delivery.ts';
import { renderText } from '../../core/render-text.ts';

/** In shell mode (no platform token) a digest is printed to the terminal. */
export function createShellPoster(output: NodeJS.WritableStream = process.stdout): ChannelPoster {
  let n = 0;
  return {
    platform: 'shell',
    async post(channelId, reply) {
      n++;
      output.write(`\n[digest for #${channelId}]\n${renderText(reply)}\n\n`);
      return { messageId: `shell-${Date.now()}-${n}` };
    },
  };
}
