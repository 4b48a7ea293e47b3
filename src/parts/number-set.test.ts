import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NUMBER_BLOCK, numberSetBytes, numberSetHas, numberSetOf, numberSetOfBitmap, readNumberSet, writeNumberSet } from './number-set.js';

/** Numbers below `bound`, each present with a probability that falls from `dense` to `sparse` over the range. */
function randomNumbers(bound: number, dense: number, sparse: number, seed: number): Uint32Array {
  let x = seed;
  const out: number[] = [];
  for (let n = 0; n < bound; n++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (x / 2 ** 32 < dense + ((sparse - dense) * n) / bound) out.push(n);
  }
  return Uint32Array.from(out);
}

function assertSameSet(set: ReturnType<typeof numberSetOf>, numbers: Uint32Array, bound: number, label: string): void {
  const present = new Set(numbers);
  for (let n = 0; n < bound; n++) if (numberSetHas(set, n) !== present.has(n)) assert.fail(`${label}: number ${n} ${present.has(n) ? 'missing' : 'found'}`);
}

describe('number set', () => {
  it('answers every number below its bound exactly, dense blocks and sparse ones, through its bytes too', () => {
    const cases: [number, number, number][] = [
      [0, 0.5, 0.5],
      [8, 1, 1],
      [2048, 0.9, 0.1],
      [NUMBER_BLOCK, 0, 0],
      [65_536, 0.98, 0.0005],
      [100_000, 0.2, 0.16],
      [NUMBER_BLOCK * 3 + 512, 0.001, 1],
    ];
    cases.forEach(([bound, dense, sparse], i) => {
      const numbers = randomNumbers(bound, dense, sparse, i + 1);
      const set = numberSetOf(numbers, bound);
      assertSameSet(set, numbers, bound, `bound ${bound}`);
      const bytes = new Uint8Array(numberSetBytes(set) + 3);
      const view = new DataView(bytes.buffer);
      assert.equal(writeNumberSet(set, bytes, view, 3), bytes.length);
      const back = readNumberSet(bytes, view, 3, bytes.length, bound, (why) => assert.fail(why));
      assert.equal(back.next, bytes.length);
      assert.deepEqual(back.set, set);
      assertSameSet(back.set, numbers, bound, `bound ${bound} read back`);
    });
  });

  it('codes a sparse block in fewer bytes than its bitmap, a dense one as its bitmap', () => {
    const sparse = randomNumbers(NUMBER_BLOCK, 0.1, 0.1, 7);
    assert.ok(numberSetOf(sparse, NUMBER_BLOCK).data.length < (NUMBER_BLOCK / 8) * 0.7);
    const dense = randomNumbers(NUMBER_BLOCK, 0.6, 0.6, 7);
    assert.equal(numberSetOf(dense, NUMBER_BLOCK).data.length, NUMBER_BLOCK / 8);
  });

  it('reads a bitmap of any multiple of 8 as the same set', () => {
    for (const bound of [8, 2048, 8192, 65_536 + 8]) {
      const numbers = randomNumbers(bound, 0.7, 0.05, bound);
      const bitmap = new Uint8Array(bound / 8);
      for (const n of numbers) bitmap[n >>> 3]! |= 1 << (n & 7);
      const set = numberSetOfBitmap(bitmap, bound);
      assertSameSet(set, numbers, bound, `bitmap of ${bound}`);
      assert.equal(set.counts.reduce((a, b) => a + b, 0), numbers.length);
    }
  });

  it('refuses a block whose header does not fit its coding', () => {
    const set = numberSetOf(Uint32Array.of(1, 2, 3), NUMBER_BLOCK);
    const bytes = new Uint8Array(numberSetBytes(set));
    const view = new DataView(bytes.buffer);
    writeNumberSet(set, bytes, view, 0);
    view.setUint8(2, 200);
    assert.throws(() => readNumberSet(bytes, view, 0, bytes.length, NUMBER_BLOCK, (why) => assert.fail(why)), /bad number block 0/);
    assert.throws(() => readNumberSet(bytes, view, 0, bytes.length - 1, NUMBER_BLOCK, (why) => assert.fail(why)), /number block 0/);
  });
});
