// One-shot CLI: `npm run --silent ask -- "<question or command>" [--json]`. Exit 1 on a user error.
import { createBot } from '../../app.ts';
import { renderText, replyToJson } from '../../core/render-text.ts';
import { createLogger } from '../../logger.ts';
import { SHELL_CALLER } from './shell.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const text = args.filter((a) => a !== '--json').join(' ');

const bot = await createBot({ log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }) });
const r = await bot.handleText(text, SHELL_CALLER);
process.stdout.write(json ? `${JSON.stringify(replyToJson(r), null, 2)}\n` : `${renderText(r)}\n`);
process.exitCode = r.kind === 'error' ? 1 : 0;
