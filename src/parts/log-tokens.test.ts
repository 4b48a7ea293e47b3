import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maxTokenCount, tokenHashesInto } from './log-tokens.js';
import { seededRandom } from '../model/seeded-random.js';

// The keys as session 13 computed them, a character at a time with the
// number tracked on every character: the reference the token loop must match.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SMALL_NUMBER_KEYS = 1 << 20;

function referenceKeys(text: string): number[] {
  const hashKey = (h: number): number => {
    h >>>= 0;
    return h < SMALL_NUMBER_KEYS ? (h | 0x80000000) >>> 0 : h;
  };
  const out: number[] = [];
  let h = FNV_OFFSET;
  let number = 0;
  let digits = 0;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let word: boolean;
    if (c < 0x80) {
      word = /[A-Za-z0-9_]/.test(String.fromCharCode(c));
      if (c >= 0x41 && c <= 0x5a) c += 32;
    } else {
      word = (c >= 0xd800 && c <= 0xdfff) || /[\p{L}\p{N}_]/u.test(String.fromCharCode(c));
      if (word) {
        const lower = String.fromCharCode(c).toLowerCase();
        if (lower.length === 1) c = lower.charCodeAt(0);
      }
    }
    if (word) {
      if (!inToken) {
        h = FNV_OFFSET;
        number = 0;
        digits = 0;
        inToken = true;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
      if (number >= 0) {
        if (c >= 0x30 && c <= 0x39 && digits < 6 && !(digits === 1 && number === 0)) {
          number = number * 10 + (c - 0x30);
          digits++;
        } else number = -1;
      }
    } else if (inToken) {
      out.push(number >= 0 ? number : hashKey(h));
      inToken = false;
    }
  }
  if (inToken) out.push(number >= 0 ? number : hashKey(h));
  return out;
}

function keysOf(text: string): number[] {
  const out = new Uint32Array(maxTokenCount(text) + 2).fill(7);
  const end = tokenHashesInto(text, out, 2);
  assert.deepEqual([out[0], out[1]], [7, 7], 'keys are written from `at` on');
  return [...out.subarray(2, end)];
}

describe('tokenHashesInto', () => {
  it('gives the keys of the character-at-a-time reference for log-like text', () => {
    for (const text of ['', ' ', 'a', '0', '00', '042', '999999', '1000000', '123456', 'x=17, 2048ms; 7', 'GET /api/users/{id} 200', 'TimeOut_ERR  after 30000 ms', 'u-12345', 'cache miss for key product:4711', '12a a12 _ __ 0_0', 'trailing 12']) {
      assert.deepEqual(keysOf(text), referenceKeys(text), JSON.stringify(text));
    }
  });

  it('gives the reference keys for non-ASCII text: letters, digits of other scripts, case, surrogates', () => {
    for (const text of ['Café CAFÉ', 'bröd ÅSA', '٤٢ ٤', 'Ǆemal ǅ', 'K Kelvin', 'İstanbul', 'ß ẞ', '日本語のログ', 'emoji 😀x 😀', 'lone \ud800 and \udc00!', '—dash–', '\u00a0nbsp\u2028line']) {
      assert.deepEqual(keysOf(text), referenceKeys(text), JSON.stringify(text));
    }
  });

  it('gives the reference keys for random text over a mixed alphabet', () => {
    const alphabet = 'aZ09_ -.:/{}"0\u00e9\u00c9\u0661\u4e2d\ud83d\ude00\u212a\u0130\u00df';
    const random = seededRandom(14);
    for (let t = 0; t < 2000; t++) {
      let text = '';
      const length = Math.floor(random() * 24);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      assert.deepEqual(keysOf(text), referenceKeys(text), JSON.stringify(text));
    }
  });
});
