import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

/**
 * A data file that is not valid YAML; the message is one line with where the problem is. js-yaml (rather than
 * the `yaml` package the tests use) because the knowledge base is read at every start: it parses data/ about
 * five times faster (~90 ms against ~450 ms here, `npm run bench startup`).
 */
export class YamlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlError';
  }
}

/**
 * The YAML file at `path` as plain data. The core schema: dates stay strings ("2023-07-26" keeps the precision
 * the source gave), and a key given twice in one mapping is an error.
 */
export function readYaml(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: path });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const at = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
      throw new YamlError(`${err.reason}${at}`);
    }
    throw err;
  }
}
