import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, Catalogs, catalogSnapshotInputs, DEFAULT_LOCALES_DIR } from '../../src/core/i18n.ts';
import { snapshotKey } from '../../src/snapshot.ts';
import { ROOT } from '../helpers/entry.ts';

let dir: string;
let locales: string;
let snapshot: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'niger-catalog-snapshot-'));
  locales = join(dir, 'locales');
  cpSync(DEFAULT_LOCALES_DIR, locales, { recursive: true });
  snapshot = join(dir, 'catalogs.json');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The snapshot with English "help.title" changed: shows whether a load used the snapshot or parsed locales/. */
function markSnapshot(): void {
  const file = JSON.parse(readFileSync(snapshot, 'utf8')) as { key: string; data: Record<string, Record<string, unknown>> };
  file.data.en!['help.title'] = [{ type: 0, value: 'From the snapshot' }];
  writeFileSync(snapshot, JSON.stringify(file));
}

function editCatalog(lang: string, edit: (messages: Record<string, string>) => void): void {
  const path = join(locales, `${lang}.json`);
  const messages = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  edit(messages);
  writeFileSync(path, JSON.stringify(messages, null, 2));
}

describe('the catalog snapshot', () => {
  it('holds the same parsed messages as locales/, and a current one is used instead of parsing', () => {
    Catalogs.writeSnapshot(snapshot, locales);
    expect(Catalogs.load(locales, snapshot)).toEqual(Catalogs.load(locales));
    markSnapshot();
    expect(Catalogs.load(locales, snapshot).t('en', 'help.title')).toBe('From the snapshot');
  });

  it('is not used after a catalog changed: broken ICU syntax stops the start with the same error as without a snapshot', () => {
    Catalogs.writeSnapshot(snapshot, locales);
    editCatalog('fr', (m) => {
      m['help.title'] = 'Aide — {count, plural, one {# commande}';
    });
    expect(() => Catalogs.load(locales, snapshot)).toThrow(CatalogError);
    expect(() => Catalogs.load(locales, snapshot)).toThrow(/locales\/fr\.json: "help\.title" is not valid ICU MessageFormat/);
  });

  it('is not used after a valid edit either, nor for a catalog added', () => {
    Catalogs.writeSnapshot(snapshot, locales);
    editCatalog('en', (m) => {
      m['help.title'] = 'Edited';
    });
    expect(Catalogs.load(locales, snapshot).t('en', 'help.title')).toBe('Edited');
    Catalogs.writeSnapshot(snapshot, locales);
    writeFileSync(join(locales, 'es.json'), JSON.stringify({ 'help.title': 'Ayuda' }));
    expect(Catalogs.load(locales, snapshot).languages()).toContain('es');
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['not an object', () => '"catalogs"'],
    ['without English', (text: string) => JSON.stringify({ ...JSON.parse(text), data: { fr: {} } })],
    ['with another key', (text: string) => text.replace(/"key":"[0-9a-f]+"/, `"key":"${'0'.repeat(64)}"`)],
  ])('falls back to parsing locales/ when the snapshot is %s', (_, corrupt) => {
    Catalogs.writeSnapshot(snapshot, locales);
    markSnapshot();
    writeFileSync(snapshot, corrupt(readFileSync(snapshot, 'utf8')));
    expect(Catalogs.load(locales, snapshot)).toEqual(Catalogs.load(locales));
  });

  it('is not written for a broken catalog', () => {
    editCatalog('de', (m) => {
      m['help.title'] = '{oops';
    });
    expect(() => Catalogs.writeSnapshot(snapshot, locales)).toThrow(CatalogError);
    expect(() => readFileSync(snapshot)).toThrow(/ENOENT/);
  });
});

describe("the build's catalog snapshot", () => {
  it('is current for the compiled bot, which starts from it', async () => {
    const compiled = (await import(join(ROOT, 'dist/src/core/i18n.js'))) as typeof import('../../src/core/i18n.ts');
    const file = JSON.parse(readFileSync(compiled.DEFAULT_CATALOG_SNAPSHOT, 'utf8')) as { key: string };
    expect(file.key).toBe(snapshotKey(compiled.catalogSnapshotInputs(compiled.DEFAULT_LOCALES_DIR)));
    expect(compiled.Catalogs.load(compiled.DEFAULT_LOCALES_DIR, compiled.DEFAULT_CATALOG_SNAPSHOT)).toEqual(Catalogs.load(DEFAULT_LOCALES_DIR));
  });
});

describe('snapshot keys', () => {
  it('differ with the files, the code and the options, and not with where the folder is', () => {
    const inputs = catalogSnapshotInputs(locales);
    const moved = join(dir, 'moved');
    cpSync(locales, moved, { recursive: true });
    expect(snapshotKey(catalogSnapshotInputs(moved))).toBe(snapshotKey(inputs));
    expect(snapshotKey({ ...inputs, options: { other: true } })).not.toBe(snapshotKey(inputs));
    expect(snapshotKey({ ...inputs, libraries: ['zod'] })).not.toBe(snapshotKey(inputs));
    editCatalog('en', (m) => {
      m['help.title'] = 'Edited';
    });
    expect(snapshotKey(inputs)).not.toBe(snapshotKey(catalogSnapshotInputs(moved)));
  });
});
