import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../model/seeded-random.js';
import { WordBytes } from './word-bytes.js';

/** The answer of the string search it replaces: the bytes as Latin-1 text, lower-cased, every start of the word. */
function startsByString(bytes: Uint8Array, from: number, to: number, word: string): number[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1').toLowerCase();
  const out: number[] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) out.push(from + at);
  return out;
}

/** Text of ids, numbers and words in mixed case, some Latin-1 and UTF-8 bytes among them. */
function randomText(seed: number, length: number): Uint8Array {
  const next = seededRandom(seed);
  const pieces = ['5BE1926f', '5be1926f6b27f706', '1926', '6B27F706', 'req 12', 'Took 123 ms', 'ÄÖ', 'é', '\u00d7', ' ', '-', '0', '12', 'quokkaFLUX', 'x'];
  const out: number[] = [];
  while (out.length < length) out.push(...Buffer.from(pieces[Math.floor(next() * pieces.length)]!, next() < 0.5 ? 'latin1' : 'utf8'));
  return Uint8Array.from(out.slice(0, length));
}

describe('WordBytes', () => {
  it('finds every start the lower-cased Latin-1 text has, in either case, by an anchor of digits or by the string', () => {
    const words = ['5be1926f6b27f706', '1926f6b', '6b27f706', 'req 12', 'took 123 ms', '123', '12', 'quokkaflux', 'x-0', 'absent 9999'];
    for (let seed = 1; seed <= 30; seed++) {
      const bytes = randomText(seed, 3000);
      for (const word of words) {
        const finder = new WordBytes(word);
        for (const [from, to] of [[0, bytes.length], [7, 2990], [1500, 1510]] as const) assert.deepEqual(finder.startsIn(bytes, from, to), startsByString(bytes, from, to, word), `${word} in seed ${seed} [${from}, ${to})`);
      }
    }
  });

  it('uses a run of at least three non-letters as its anchor', () => {
    assert.equal(new WordBytes('5be1926f6b27f706').anchor?.toString(), '1926');
    assert.equal(new WordBytes('req 12').anchor?.toString(), ' 12');
    assert.equal(new WordBytes('a12b').anchor, undefined);
  });

  it("leaves the answer to decoded values where a character's lower case holds ASCII letters, or the word is not lower-case ASCII", () => {
    for (const text of ['İstanbul 1926', '\u212Aelvin 1926']) assert.equal(new WordBytes('1926').startsIn(Buffer.from(text), 0, Buffer.byteLength(text)), undefined);
    for (const word of ['Req 12', 'ä']) assert.equal(new WordBytes(word).startsIn(Buffer.from('req 12 ä'), 0, 6), undefined);
    assert.deepEqual(new WordBytes('req 12').startsIn(Buffer.from('REQ 12 Req 12'), 0, 13), [0, 7]);
  });
});
