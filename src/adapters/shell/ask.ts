// One-shot CLI: `npm run --silent ask -- "<question or command>" [--json] [--lang fr]`. Exit 1 on a user error.
// The language is --lang's, else the terminal's (LC_ALL, LC_MESSAGES, LANG), else English.
import { createBot } from '../../app.ts';
import { renderText, replyToJson } from '../../core/render-text.ts';
import { createLogger } from '../../logger.ts';
import { shellCaller, terminalLocale } from './shell.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
let lang: string | undefined;
const words: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--json') continue;
  if (a === '--lang') lang = args[++i];
  else if (a.startsWith('--lang=')) lang = a.slice('--lang='.length);
  else words.push(a);
}
const text = words.join(' ');

const bot = await createBot({ log: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }) });
const r = await bot.handleText(text, shellCaller(lang ?? terminalLocale()));
process.stdout.write(json ? `${JSON.stringify(replyToJson(r), null, 2)}\n` : `${renderText(r)}\n`);
process.exitCode = r.kind === 'error' ? 1 : 0;
