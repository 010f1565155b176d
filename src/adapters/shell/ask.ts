// One-shot CLI: `npm run --silent ask -- [--json] [--lang fr] [--chart out.png] [--as NAME] "<question or command>"`. Exit 1
// on a user error (an unknown flag, a chart path that cannot be written, included). The language is --lang's, else the
// terminal's (LC_ALL, LC_MESSAGES, LANG), else English. It answers from the bot's store when there is one, so scripts
// see (and propose, approve) what the running bot answers.
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createBot } from '../../app.ts';
import { ConfigError, loadEnvFile } from '../../config.ts';
import type { Reply } from '../../core/reply.ts';
import type { Services } from '../../core/services.ts';
import { DataError } from '../../knowledge/load.ts';
import { answerFromStore, storeServices } from '../../knowledge-store.ts';
import type { LiveKnowledge } from '../../live-knowledge.ts';
import { DEFAULT_SQLITE_PATH, openStore, StorageError } from '../../storage/open.ts';
import type { DigestStore } from '../../storage/types.ts';
import { chartService } from '../../charts/service.ts';
import { catalogs, languageOf, t } from '../../core/i18n.ts';
import { replyToJson } from '../../core/render-text.ts';
import { quote } from '../../core/sanitize.ts';
import { createLogger } from '../../logger.ts';
import { PROJECT_ROOT } from '../../paths.ts';
import { shellCaller, shellUserArg, terminalLocale } from './shell.ts';
import { colourEnabled, renderTerminal, terminalWidth } from './terminal.ts';

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  lang: { type: 'string' },
  chart: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** What the command line asks for, or the user error to print (in the terminal's language) and exit 1 with. */
type CliRequest =
  | { kind: 'help' | 'version' }
  | { kind: 'ask'; text: string; json: boolean; lang: string | undefined; chart: string | undefined }
  | { kind: 'error'; message: string };

/** Reads the flags with node:util's parseArgs, strict: an unknown flag is a user error, never part of the question. */
function readCommandLine(args: string[], uiLang: string): CliRequest {
  let parsed: { values: { help?: boolean; version?: boolean; json?: boolean; lang?: string; chart?: string }; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    return { kind: 'error', message: `${flagError(err as Error & { code?: string }, args, uiLang)} ${t(uiLang, 'cli.error.seeHelp')}` };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.lang !== undefined && !catalogs().resolve(values.lang)) {
    return { kind: 'error', message: t(uiLang, 'cli.error.lang', { value: values.lang.slice(0, 20), choices: catalogs().languages().join(', ') }) };
  }
  if (values.chart === '') return { kind: 'error', message: t(uiLang, 'cli.error.needsPath', { flag: '--chart' }) };
  return { kind: 'ask', text: positionals.join(' '), json: values.json ?? false, lang: values.lang, chart: values.chart };
}

/** The flag at fault, as the user typed it: parseArgs names it only inside an English sentence. */
function flagError(err: Error & { code?: string }, args: string[], uiLang: string): string {
  const end = args.indexOf('--');
  const flags = args.slice(0, end < 0 ? undefined : end).filter((a) => a.startsWith('-'));
  const known = new Map<string, { type: string }>(
    Object.entries(FLAGS).flatMap(([long, f]) => [[`--${long}`, f] as const, ...('short' in f ? [[`-${f.short}`, f] as const] : [])]),
  );
  const nameOf = (a: string) => a.split('=')[0] ?? a;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = flags.find((a) => !known.has(nameOf(a))) ?? '?';
    return t(uiLang, 'cli.error.unknownFlag', { flag: flag.slice(0, 40) });
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // A switch given a value (`--json=yes`), or `--lang` given none.
    const valued = flags.find((a) => a.includes('=') && known.get(nameOf(a))?.type === 'boolean');
    if (valued) return t(uiLang, 'cli.error.noValue', { flag: nameOf(valued) });
    // The valued flag given none: the last one, as parseArgs reads them.
    const bare = flags.filter((a) => a === '--chart' || a === '--lang').at(-1);
    return bare === '--chart' ? t(uiLang, 'cli.error.needsPath', { flag: '--chart' }) : t(uiLang, 'cli.error.needsValue', { flag: '--lang' });
  }
  return err.message;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${pkg.name} ${pkg.version}`;
}

async function main(): Promise<void> {
  const uiLang = languageOf(terminalLocale());
  // `--as NAME`: who the user is in proposals (see shellUserArg), read before the other flags.
  const asUser = shellUserArg(process.argv.slice(2), uiLang);
  if (asUser.error) {
    process.stderr.write(`${asUser.error}\n`);
    process.exitCode = 2;
    return;
  }
  const request = readCommandLine(asUser.rest, uiLang);
  switch (request.kind) {
    case 'error':
      process.stderr.write(`${request.message}\n`);
      process.exitCode = 1;
      return;
    case 'help':
      process.stdout.write(`${t(uiLang, 'cli.usage')}\n`);
      return;
    case 'version':
      process.stdout.write(`${version()}\n`);
      return;
  }
  const chartPath = request.chart;
  // A path that cannot be written is refused before the question is asked: nothing is drawn or written.
  const problem = chartPath === undefined ? undefined : await unwritable(chartPath);
  if (chartPath !== undefined && problem) {
    process.stderr.write(`${t(uiLang, 'cli.error.chartPath', { path: quote(chartPath, 200), reason: problem })}\n`);
    process.exitCode = 1;
    return;
  }
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  // The store `npm start` keeps (DATABASE_URL's, else the default SQLite file once it exists): answers, `known:`,
  // proposals and approvals are the running bot's. With none, data/ alone, as a fresh checkout has it.
  const store = await openedStore(uiLang);
  // Charts are drawn only when asked for: the libraries are not loaded otherwise.
  const services: Services = { ...(chartPath !== undefined ? { charts: chartService() } : {}), ...(store ? storeServices(store, () => live) : {}) };
  const bot = await createBot({ log, services });
  let live: LiveKnowledge | undefined;
  if (store) {
    try {
      live = await answerFromStore(store, bot, services, log);
    } catch (err) {
      if (!(err instanceof StorageError || err instanceof DataError)) throw err;
      process.stderr.write(`${t(uiLang, 'cli.store.unusable', { reason: quote(err.message, 300) })}\n`);
    }
  }
  let r: Reply;
  try {
    r = await bot.handleText(request.text, shellCaller(request.lang ?? terminalLocale(), asUser.name));
  } finally {
    await live?.stop();
    await store?.close();
  }
  const lang = r.lang ?? uiLang;
  const chart = r.attachments?.find((a) => a.mime === 'image/png');
  let written: string | undefined;
  if (chartPath !== undefined && chart) {
    try {
      await writeFile(chartPath, chart.bytes);
      written = chartPath;
    } catch (err) {
      process.stderr.write(`${t(uiLang, 'cli.error.chartPath', { path: quote(chartPath, 200), reason: reasonOf(err) })}\n`);
      process.exitCode = 1;
    }
  } else if (chartPath !== undefined && r.kind !== 'error') {
    // Not an error: the answer is whole without a chart (one date, "now"); said so, on stderr, for scripts.
    process.stderr.write(`${t(lang, 'cli.chart.none', { path: quote(chartPath, 200) })}\n`);
  }
  // At a terminal wrapped and coloured as the shell prints it; piped, exactly renderText (see terminal.ts).
  const text = () => renderTerminal(r, { width: terminalWidth(process.stdout), colour: colourEnabled(process.stdout) });
  if (request.json) {
    const json = { ...replyToJson(r), ...(written && chart ? { chart: { path: written, alt: chart.alt, caption: chart.caption ?? null } } : {}) };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(`${text()}\n${written ? `\n${t(lang, 'chart.saved', { path: quote(written, 200) })}\n` : ''}`);
  }
  process.exitCode = r.kind === 'error' || (chartPath !== undefined && chart && !written) ? 1 : 0;
}

/** The store to answer from, or none (said on stderr when DATABASE_URL names one that cannot be opened). */
async function openedStore(uiLang: string): Promise<DigestStore | undefined> {
  try {
    loadEnvFile();
    const url = process.env.DATABASE_URL || undefined;
    if (!url && !existsSync(DEFAULT_SQLITE_PATH)) return undefined;
    return await openStore(url);
  } catch (err) {
    if (!(err instanceof StorageError || err instanceof ConfigError)) throw err;
    process.stderr.write(`${t(uiLang, 'cli.store.unusable', { reason: quote(err.message, 300) })}\n`);
    return undefined;
  }
}

/** Why a PNG could not be written at `path` (a catalog reason, or the system's code), or undefined when it can. */
async function unwritable(path: string): Promise<string | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return 'folder';
    await access(path, constants.W_OK);
    return undefined;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') return reasonOf(err);
  }
  try {
    const folder = dirname(resolve(path));
    if (!(await stat(folder)).isDirectory()) return 'missing';
    await access(folder, constants.W_OK);
    return undefined;
  } catch (err) {
    return reasonOf(err);
  }
}

function reasonOf(err: unknown): string {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'denied';
  if (code === 'EISDIR') return 'folder';
  return code || 'unknown error';
}

await main();
