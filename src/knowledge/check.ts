// `npm run data:check [--strict] [dir]`: validates the knowledge base and prints every problem at once (exit 1), then
// the text that has no translation in a language (shown in English to its readers until it has one). Untranslated
// text is a warning: an entry approved from chat and exported (`npm run data:export`) is English until a desk
// translates it, and still a valid knowledge base. `--strict` makes it an error too: CI keeps main translated.
import { parseArgs } from 'node:util';
import { DataError, DEFAULT_DATA_DIR, loadKnowledgeData } from './load.ts';
import { missingTranslations, translatableEntries, TRANSLATIONS_DIR } from './translations.ts';

let args: { values: { strict?: boolean }; positionals: string[] };
try {
  args = parseArgs({ options: { strict: { type: 'boolean' } }, allowPositionals: true, strict: true });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\nUsage: npm run data:check [-- --strict] [directory]   (default: data/)\n`);
  process.exit(2);
}
const dir = args.positionals[0] ?? DEFAULT_DATA_DIR;
const strict = args.values.strict ?? false;
try {
  const data = loadKnowledgeData(dir);
  const counts = Object.entries(data)
    .filter(([, list]) => Array.isArray(list))
    .map(([name, list]) => `${(list as unknown[]).length} ${name}`);
  const missing = missingTranslations(data.translations, translatableEntries(data));
  if (missing.length > 0) {
    process.stderr.write(
      `${missing.length} text(s) have no translation${strict ? '' : ' (shown in English until they have one)'}:\n` +
        missing.map((m) => `  - ${TRANSLATIONS_DIR}/${m.lang}.yaml: ${m.collection}/${m.id}: no "${m.field}"`).join('\n') +
        '\n',
    );
    if (strict) process.exitCode = 1;
  }
  if (!strict || missing.length === 0) {
    const languages = ['en', ...Object.keys(data.translations)].join(', ');
    const untranslated = missing.length > 0 ? ` (${missing.length} text(s) in English only)` : '';
    process.stdout.write(`Knowledge base OK: ${counts.join(', ')}; text in ${languages}${untranslated}.\n`);
  }
} catch (err) {
  if (!(err instanceof DataError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
