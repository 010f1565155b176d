// `npm run data:check [dir]`: validates the knowledge base and prints every problem at once, then the text
// that has no translation in a language (shown in English to its readers until it has one).
import { DataError, DEFAULT_DATA_DIR, loadKnowledgeData } from './load.ts';
import { missingTranslations, translatableEntries, TRANSLATIONS_DIR } from './translations.ts';

const dir = process.argv[2] ?? DEFAULT_DATA_DIR;
try {
  const data = loadKnowledgeData(dir);
  const counts = Object.entries(data)
    .filter(([, list]) => Array.isArray(list))
    .map(([name, list]) => `${(list as unknown[]).length} ${name}`);
  const missing = missingTranslations(data.translations, translatableEntries(data));
  if (missing.length > 0) {
    process.stderr.write(
      `${missing.length} text(s) have no translation:\n` +
        missing.map((m) => `  - data/${TRANSLATIONS_DIR}/${m.lang}.yaml: ${m.collection}/${m.id}: no "${m.field}"`).join('\n') +
        '\n',
    );
    process.exitCode = 1;
  } else {
    const languages = ['en', ...Object.keys(data.translations)].join(', ');
    process.stdout.write(`Knowledge base OK: ${counts.join(', ')}; text in ${languages}.\n`);
  }
} catch (err) {
  if (!(err instanceof DataError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exitCode = 1;
}
