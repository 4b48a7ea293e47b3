// Words of log text for full-text search: a token is a maximal run of letters,
// digits and '_' (Unicode \p{L}\p{N}_, the same class the SQL check uses:
// src/query/logs/log-sql.ts), compared case-insensitively. Tokens are hashed
// (FNV-1a over the lower-cased UTF-16 code units) straight from the string,
// without slicing it; the token index (token-index.ts) holds these hashes.

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

// Non-ASCII BMP code units: 1 word character, 2 not, 0 not yet known.
const WIDE_CLASS = new Uint8Array(0x10000);
const WORD_CHAR = /[\p{L}\p{N}_]/u;

function isWideWordChar(c: number): boolean {
  let k = WIDE_CLASS[c]!;
  if (k === 0) {
    // Surrogates count as word characters: most astral characters in text are letters or ideographs.
    k = (c >= 0xd800 && c <= 0xdfff) || WORD_CHAR.test(String.fromCharCode(c)) ? 1 : 2;
    WIDE_CLASS[c] = k;
  }
  return k === 1;
}

function lowerWide(c: number): number {
  const lower = String.fromCharCode(c).toLowerCase();
  return lower.length === 1 ? lower.charCodeAt(0) : c;
}

/** Calls `visit` with the hash of every token of `text`, in order (repeats included). */
export function forEachTokenHash(text: string, visit: (hash: number) => void): void {
  let h = FNV_OFFSET;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let word: boolean;
    if (c < 0x80) {
      if (c >= 0x41 && c <= 0x5a) {
        c += 32;
        word = true;
      } else word = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
    } else {
      word = isWideWordChar(c);
      if (word) c = lowerWide(c);
    }
    if (word) {
      if (!inToken) {
        h = FNV_OFFSET;
        inToken = true;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
    } else if (inToken) {
      visit(h >>> 0);
      inToken = false;
    }
  }
  if (inToken) visit(h >>> 0);
}

/** The tokens of `text`, lower-cased, in order (for queries). */
export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

/** Hash of one token as forEachTokenHash computes it. */
export function tokenHash(token: string): number {
  let out = 0;
  forEachTokenHash(token, (h) => (out = h));
  return out;
}
