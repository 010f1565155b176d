import type { ChannelPoster } from '../../core/delivery.ts';
import { renderText } from '../../core/render-text.ts';
import type { Reply } from '../../core/reply.ts';

/**
 * In shell mode (no platform token) a digest is printed to the terminal, rendered as the shell renders its answers;
 * `printed` runs after it (the shell redraws its prompt and what the user had typed, which the digest pushed up).
 */
export function createShellPoster(
  output: NodeJS.WritableStream = process.stdout,
  render: (r: Reply) => string = renderText,
  printed: () => void = () => {},
  /** Writes the reply's charts where the shell keeps them and says where (the lines printed under the digest). */
  saveCharts?: (reply: Reply) => Promise<string>,
): ChannelPoster {
  let n = 0;
  return {
    ...(saveCharts
      ? {
          async attach(_channelId: string, _messageId: string, reply: Reply) {
            const lines = await saveCharts(reply);
            if (!lines) return;
            output.write(`${lines.trimStart()}\n\n`);
            printed();
          },
        }
      : {}),
    platform: 'shell',
    async post(channelId, reply) {
      n++;
      output.write(`\n[digest for #${channelId}]\n${render(reply)}\n\n`);
      printed();
      return { messageId: `shell-${Date.now()}-${n}` };
    },
  };
}
