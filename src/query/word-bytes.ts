// Where a lower-case ASCII word occurs in raw text bytes once they are
// lower-cased, without decoding them: the log search's test of a candidate
// chunk (scanRows, part-pages.ts) asks this of whole pages and dictionaries,
// then decodes only the values holding a match.
//
// Why bytes and not strings: a chunk the token index only seemed to hold
// (1 in 64) costs every text column's pages, and copying a page into a
// Latin-1 string, lower-casing it and searching it cost ~0.7 ms for the
// 16 Ki request ids of one page (docs/storage.md, "Session 11"). Searching
// the bytes for the word's longest run of non-letters (digits of an id,
// which no case folding changes) is Buffer.indexOf's native search, and only
// its few occurrences are compared letter by letter.

const LOWER_A = 0x61;
const LOWER_Z = 0x7a;
/** Characters whose lower case holds ASCII letters: U+0130 'İ' (C4 B0 → "i̇") and U+212A KELVIN SIGN (E2 84 AA → 'k'). */
const DOTTED_CAPITAL_I = Buffer.from([0xc4, 0xb0]);
const KELVIN_SIGN = Buffer.from([0xe2, 0x84, 0xaa]);
/** An anchor this short occurs too often in numbers to beat the string search. */
const MIN_ANCHOR_BYTES = 3;

function isLetter(code: number): boolean {
  return code >= LOWER_A && code <= LOWER_Z;
}

/** A word prepared for searching many pages: its bytes and its longest run of non-letters. */
export class WordBytes {
  readonly bytes: Buffer;
  /** the longest run of non-letters (case folding never changes them), undefined when shorter than MIN_ANCHOR_BYTES */
  readonly anchor: Buffer | undefined;
  /** where the anchor starts in the word */
  readonly anchorAt: number;
  /** lower-case ASCII: else startsIn leaves the answer to the decoded values */
  private readonly searchable: boolean;

  constructor(readonly word: string) {
    this.searchable = word.length > 0 && /^[\x00-\x40\x5b-\x7f]*$/.test(word);
    this.bytes = Buffer.from(word, 'latin1');
    let best = 0;
    let bestAt = 0;
    for (let i = 0; i < this.bytes.length; ) {
      if (isLetter(this.bytes[i]!)) {
        i++;
        continue;
      }
      let j = i;
      while (j < this.bytes.length && !isLetter(this.bytes[j]!)) j++;
      if (j - i > best) [best, bestAt] = [j - i, i];
      i = j;
    }
    this.anchor = best >= MIN_ANCHOR_BYTES ? this.bytes.subarray(bestAt, bestAt + best) : undefined;
    this.anchorAt = bestAt;
  }

  /**
   * Start offsets (ascending, absolute) of the word in bytes[from, to) once
   * lower-cased as Latin-1 text (ASCII letters fold, no other byte becomes
   * ASCII), or undefined where that is not the answer: the bytes hold a
   * character whose lower case holds ASCII letters ('İ', the Kelvin sign),
   * or the word is not lower-case ASCII.
   */
  startsIn(bytes: Uint8Array, from: number, to: number): number[] | undefined {
    if (!this.searchable) return undefined;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from);
    if (buffer.indexOf(DOTTED_CAPITAL_I) >= 0 || buffer.indexOf(KELVIN_SIGN) >= 0) return undefined;
    return this.anchor ? this.byAnchor(buffer, from) : this.byString(buffer, from);
  }

  /** Each occurrence of the anchor, the word compared around it. */
  private byAnchor(buffer: Buffer, base: number): number[] {
    const out: number[] = [];
    const anchor = this.anchor!;
    for (let at = buffer.indexOf(anchor); at >= 0; at = buffer.indexOf(anchor, at + 1)) {
      const start = at - this.anchorAt;
      if (start >= 0 && start + this.bytes.length <= buffer.length && this.foldedAt(buffer, start)) out.push(base + start);
    }
    return out;
  }

  /** The word's bytes at buffer[start…], ASCII letters compared in either case. */
  private foldedAt(buffer: Buffer, start: number): boolean {
    const word = this.bytes;
    for (let j = 0; j < word.length; j++) {
      const w = word[j]!;
      const b = buffer[start + j]!;
      if (b !== w && !(isLetter(w) && b === w - 0x20)) return false;
    }
    return true;
  }

  /** A word of letters: the bytes as Latin-1 text lower-cased and searched by V8 (a byte loop here cost 5 × more). */
  private byString(buffer: Buffer, base: number): number[] {
    const text = buffer.toString('latin1').toLowerCase();
    const out: number[] = [];
    for (let at = text.indexOf(this.word); at >= 0; at = text.indexOf(this.word, at + 1)) out.push(base + at);
    return out;
  }
}
