import { createHash } from 'node:crypto';
import type { types } from '@slack/bolt';
import { encodeAction, type ReplyAction } from '../../core/reply.ts';
import { escapeSlack, isLinkableUrl } from './escape.ts';

type Block = types.KnownBlock;

/**
 * A reply's actions as Block Kit (issue 14): buttons and the As of… date picker in an `actions` block, the main
 * source as a link button, Helpful / Not helpful as Slack's `feedback_buttons` in a `context_actions` block.
 * Every element that runs something carries its action (encodeAction), which the core decodes when it is used:
 * a button in its value; a date picker, which has no value, in its action_id.
 */

/** The action_id prefix of our buttons (Bolt routes presses by it). */
export const ACTION_ID_PREFIX = 'nw-action-';
/** The action_id prefix of a date picker; the rest of the action_id is its action. */
export const PICKER_ID_PREFIX = 'nw-pick-';
/** The action_id prefix of link buttons: Slack still sends a block_action for them, which only needs an ack. */
export const LINK_ID_PREFIX = 'nw-link-';
/** The action_id of the feedback buttons. */
export const FEEDBACK_ID = 'nw-feedback';

/** Slack: an action_id of 255 characters, a value of 2,000, a button label of 75, a url of 3,000. */
const MAX_ACTION_ID = 255;
const MAX_VALUE = 2000;

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: false };
}

function label(text: string, max = 75): types.PlainTextElement {
  const escaped = escapeSlack(text);
  return plain(escaped.length <= max ? escaped : `${escaped.slice(0, max - 1)}…`);
}

/** The blocks for `actions`: at most one actions block (25 elements) and one context_actions block. */
export function actionBlocks(actions: readonly ReplyAction[]): Block[] {
  const elements: types.ActionsBlockElement[] = [];
  let helpful: ReplyAction | undefined;
  let notHelpful: ReplyAction | undefined;
  actions.forEach((a, i) => {
    if (a.kind === 'helpful') helpful = a;
    else if (a.kind === 'notHelpful') notHelpful = a;
    else if (a.picker) {
      const id = `${PICKER_ID_PREFIX}${encodeAction(a)}`;
      // An action too long for an action_id is left out rather than cut (a cut one would decode to nothing).
      if (id.length > MAX_ACTION_ID) return;
      const initial = a.picker.initial && /^\d{4}-\d{2}-\d{2}$/.test(a.picker.initial) ? { initial_date: a.picker.initial } : {};
      elements.push({ type: 'datepicker', action_id: id, placeholder: label(a.label, 150), ...initial });
    } else if (a.url) {
      if (!isLinkableUrl(a.url)) return;
      elements.push({ type: 'button', action_id: `${LINK_ID_PREFIX}${i}`, text: label(a.label), url: a.url });
    } else {
      const value = encodeAction(a);
      if (value.length > MAX_VALUE) return;
      elements.push({ type: 'button', action_id: `${ACTION_ID_PREFIX}${i}`, text: label(a.label), value, ...(a.style ? { style: a.style } : {}) });
    }
  });
  const blocks: Block[] = [];
  // Slack keeps an element's state (a day picked) across a chat.update when its block_id stays the same: a new one for
  // every set of actions, so the replaced answer's picker shows its own day.
  const version = createHash('sha1').update(JSON.stringify(actions)).digest('base64url').slice(0, 10);
  if (elements.length) blocks.push({ type: 'actions', block_id: `nw-actions-${version}`, elements: elements.slice(0, 25) });
  if (helpful && notHelpful) {
    const positive = encodeAction(helpful);
    const negative = encodeAction(notHelpful);
    if (positive.length <= MAX_VALUE && negative.length <= MAX_VALUE) {
      blocks.push({
        type: 'context_actions',
        block_id: `nw-feedback-${version}`,
        elements: [
          {
            type: 'feedback_buttons',
            action_id: FEEDBACK_ID,
            positive_button: { text: label(helpful.label), value: positive, accessibility_label: escapeSlack(helpful.label).slice(0, 75) },
            negative_button: { text: label(notHelpful.label), value: negative, accessibility_label: escapeSlack(notHelpful.label).slice(0, 75) },
          },
        ],
      } as Block);
    }
  }
  return blocks;
}

/** How many JSON characters and blocks the action blocks take: what the rest of the message must leave room for. */
export function actionBlocksSize(blocks: readonly Block[]): { json: number; blocks: number } {
  return { json: blocks.length ? JSON.stringify(blocks).length + 1 : 0, blocks: blocks.length };
}
