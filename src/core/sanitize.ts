/** Longest input any command reads; longer text is cut before parsing so hostile input stays cheap. */
export const MAX_INPUT_CHARS = 2000;

/**
 * Removes control characters, the zero-width space and BOM, and every bidi formatting character (the marks
 * U+061C ALM, U+200E LRM, U+200F RLM; the embeddings and overrides U+202A–U+202E; the isolates
 * U+2066–U+2069), and folds whitespace. The zero-width joiner and non-joiner stay: Persian and Indic
 * words and emoji sequences are spelled with them. Mentions and markup are not touched here: each
 * adapter escapes for its own platform.
 */
export function cleanInput(text: string): string {
  return text
    .slice(0, MAX_INPUT_CHARS * 2)
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_INPUT_CHARS);
}

/** Whether text is longer than any command reads (whitespace folded): a form refuses it rather than cut it. */
export function exceedsInput(text: string): boolean {
  return text.length > MAX_INPUT_CHARS && text.replace(/\s+/g, ' ').trim().length > MAX_INPUT_CHARS;
}

/** User text quoted back in a message: short, on one line. */
export function quote(text: string, max = 60): string {
  const clean = cleanInput(text);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
