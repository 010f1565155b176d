/**
 * The layering, checked by `npm run layers` (run by .ci/run):
 *   adapters → core → knowledge; commands/ use core and knowledge only (and the charts);
 *   src/charts (charts drawn to PNG) stands on knowledge alone, beside core;
 *   commands/ and src/digest never import each other's internals; the adapters do not import each other;
 *   no import cycles anywhere.
 * Type-only imports count: a type import is still a dependency on the other layer's design.
 */
/** kb.ts ↔ understand.ts ↔ search.ts: see no-circular-knowledge-base. */
const KNOWN_CYCLE = '^src/knowledge/(kb|understand|search)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'knowledge-is-the-bottom',
      comment: 'src/knowledge (the data, its loading and the question reader) knows nothing of the bot around it.',
      severity: 'error',
      from: { path: '^src/knowledge/' },
      to: { path: '^(src/(core|adapters|digest|storage|charts)|commands)/' },
    },
    {
      name: 'charts-on-knowledge',
      comment:
        'src/charts draws what the knowledge base holds; commands, core and adapters use it, so it knows none of them ' +
        '(nor the digest or storage): a chart is the same picture on every platform.',
      severity: 'error',
      from: { path: '^src/charts/' },
      to: { path: '^(src/(core|adapters|digest|storage)|commands)/' },
    },
    {
      name: 'core-not-above-itself',
      comment:
        'src/core (commands framework, replies, i18n) does not reach up into adapters, the digest, storage or the commands. ' +
        'The digest is reached through the port in src/core/digest-port.ts, which src/digest implements.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^(src/(adapters|digest|storage)|commands)/' },
    },
    {
      name: 'commands-use-core-and-knowledge',
      comment: 'commands/ answer through src/core and src/knowledge only: the digest through its port, never its implementation.',
      severity: 'error',
      from: { path: '^commands/' },
      to: { path: '^src/(adapters|digest|storage)/' },
    },
    {
      name: 'digest-not-into-commands',
      comment: "src/digest builds its content from src/knowledge and src/core, not from the commands' internals.",
      severity: 'error',
      from: { path: '^src/digest/' },
      to: { path: '^commands/' },
    },
    {
      name: 'adapters-independent',
      comment: 'One adapter never imports another (slack, discord, shell): shared code belongs in src/core.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycles anywhere (type-only imports included). The three modules of the one known cycle are ' +
        'checked by no-circular-knowledge-base below instead; any other cycle, even one through them, is reported ' +
        'from its other modules here.',
      severity: 'error',
      from: { pathNot: KNOWN_CYCLE },
      to: { circular: true },
    },
    {
      name: 'no-circular-knowledge-base',
      comment:
        'Known design debt, a warning until it is paid: KnowledgeBase (kb.ts) builds its QuestionReader ' +
        '(understand.ts), which builds the KnowledgeIndex (search.ts); both take the KnowledgeBase back, by a ' +
        'type-only import (no cycle at run time). Breaking it means the reader and index depend on a read-only ' +
        'interface of the knowledge base, or the reader is built outside KnowledgeBase.',
      severity: 'warn',
      from: { path: KNOWN_CYCLE },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|var|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'],
    },
  },
};
