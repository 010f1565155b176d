import type { webApi } from '@slack/bolt';
import type { Reply, ReplyAttachment } from '../../core/reply.ts';
import type { Logger } from '../../logger.ts';
import { escapeSlack } from './escape.ts';

/** Slack refuses alt text longer than this (`alt_txt_too_large`). */
const MAX_ALT = 1000;
/** A file title is shown on one line above the image. */
const MAX_TITLE = 250;
const UPLOAD_TIMEOUT_MS = 15_000;

/**
 * Shares a reply's files (its chart) in the channel, after the answer, by Slack's upload flow:
 * files.getUploadURLExternal → POST the bytes to the URL it gives → files.completeUploadExternal with the channel
 * (and the thread, when the answer is in one), a title and the caption as its comment.
 *
 * The three calls are made here rather than through WebClient.filesUploadV2, which does the same but sends the
 * alt text as `alt_text`, a name Slack does not read (its argument is `alt_txt`): the chart would reach screen
 * readers without its words. A failure never touches the answer, which already went out and says everything the
 * chart shows; it is logged, and a missing `files:write` scope is named so the operator knows to reinstall.
 */
export async function shareAttachments(client: webApi.WebClient, reply: Reply, where: { channel: string; threadTs?: string }, log: Logger): Promise<void> {
  for (const file of reply.attachments ?? []) {
    try {
      await shareOne(client, file, where);
    } catch (err) {
      const data = (err as { data?: { error?: string; needed?: string } }).data;
      if (data?.error === 'missing_scope') {
        log.warn(
          { command: reply.command, channelId: where.channel, needed: data.needed ?? 'files:write' },
          'cannot upload the chart: the Slack app lacks the files:write scope (reinstall it from the manifest); the answer went out as text',
        );
      } else {
        log.warn({ err, command: reply.command, channelId: where.channel, file: file.name }, 'could not upload the chart; the answer went out as text');
      }
    }
  }
}

async function shareOne(client: webApi.WebClient, file: ReplyAttachment, where: { channel: string; threadTs?: string }): Promise<void> {
  const bytes = file.bytes;
  const asked = (await client.files.getUploadURLExternal({
    filename: file.name,
    length: bytes.byteLength,
    alt_txt: file.alt.slice(0, MAX_ALT),
  } as unknown as webApi.FilesGetUploadURLExternalArguments)) as { upload_url?: string; file_id?: string };
  if (!asked.upload_url || !asked.file_id) throw new Error('files.getUploadURLExternal gave no upload_url');
  // The upload URL is signed for this one file: no token goes with the bytes.
  const res = await fetch(asked.upload_url, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': file.mime },
    redirect: 'error',
    signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
  });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status !== 200) throw new Error(`the file upload URL answered HTTP ${res.status}`);
  const caption = file.caption ? escapeSlack(file.caption) : undefined;
  await client.files.completeUploadExternal({
    files: [{ id: asked.file_id, title: titleOf(file) }],
    channel_id: where.channel,
    ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
    ...(caption ? { initial_comment: caption } : {}),
  } as webApi.FilesCompleteUploadExternalArguments);
}

/** The caption's first sentence ("French troops in Niger, 2023"), else the file name. */
function titleOf(file: ReplyAttachment): string {
  const first = file.caption?.split(/\.\s/)[0]?.trim();
  return (first || file.name).slice(0, MAX_TITLE);
}
