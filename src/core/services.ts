/**
 * Capabilities commands may use beyond the knowledge base, provided by the composition root
 * (src/main.ts). Optional so the core runs without them (e.g. a shell with no database).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Services {}
