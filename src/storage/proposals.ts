import { randomBytes } from 'node:crypto';
import { StorageError } from './migrations.ts';
import { isRevisionedKind, seedEntry, type SeedEntry } from './seed.ts';
import type { ProposalInput } from './types.ts';

export type { ProposalInput, ProposalRow, ProposalSource, ProposalStatus } from './types.ts';

/** The longest text one field of a proposal may hold. */
export const MAX_FIELD_CHARS = 2000;

/** A proposal refused or a decision not taken; the message is for the user and names the field. */
export class ProposalError extends StorageError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ProposalError';
  }
}

const ID_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A short readable id: P- and 6 characters without look-alikes (0/O, 1/I/L). */
export function newProposalId(): string {
  const bytes = randomBytes(6);
  return `P-${[...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('')}`;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Every string in the value with its path, for the length check. */
function strings(value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) strings(v, `${path}.${i}`, out);
  } else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

/**
 * Checks a proposal on its own (not against the store): the entry by its collection's zod schema, the source
 * (an http(s) URL, a publisher and title, a published day not in the future), no field over MAX_FIELD_CHARS.
 * Throws a ProposalError naming the first field at fault; returns what the store keeps of the entry.
 */
export function checkProposal(input: ProposalInput, now: number): SeedEntry {
  if (!isRevisionedKind(input.kind)) throw new ProposalError(`kind: "${input.kind}" is not a kind of knowledge entry.`, 'kind');
  for (const [path, text] of [...strings(input.entry, '', []), ...strings(input.source, 'source', [])]) {
    if (text.length > MAX_FIELD_CHARS) throw new ProposalError(`${path}: ${text.length} characters, more than ${MAX_FIELD_CHARS}.`, path);
  }
  const { url, publisher, title, published } = input.source;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ProposalError(`source: "${url}" is not an http(s) URL.`, 'source');
  }
  if (!publisher.trim()) throw new ProposalError('publisher: missing.', 'publisher');
  if (!title.trim()) throw new ProposalError('title: missing.', 'title');
  const today = new Date(now).toISOString().slice(0, 10);
  if (!ISO_DAY.test(published) || Number.isNaN(Date.parse(`${published}T00:00:00Z`))) {
    throw new ProposalError(`published: "${published}" is not a date YYYY-MM-DD.`, 'published');
  }
  if (published > today) throw new ProposalError(`published: ${published} is in the future.`, 'published');
  const checked = seedEntry(input.kind, input.entry, 0);
  if (Array.isArray(checked)) {
    const first = checked[0] ?? '(entry): invalid';
    throw new ProposalError(first, first.slice(0, first.indexOf(':')));
  }
  if (checked.validFrom !== null && checked.validFrom > today) {
    throw new ProposalError(`date: ${checked.validFrom} is in the future.`, 'date');
  }
  if (input.entryId !== null && checked.id !== input.entryId) {
    throw new ProposalError(`id: a correction of ${input.entryId} must keep its id (got ${checked.id}).`, 'id');
  }
  return checked;
}
