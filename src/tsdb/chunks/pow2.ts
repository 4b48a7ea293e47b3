// 2^0 .. 2^64 as a table: `2 ** n` with a variable n is a Math.pow call,
// several times slower than a load in the decode loops.
export const POW2: readonly number[] = Array.from({ length: 65 }, (_, n) => 2 ** n);
