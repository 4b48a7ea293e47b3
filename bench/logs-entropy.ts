// The entropy floor of the logs bench's dataset (bench/logs-dataset.ts): bits
// per record of the generator's random choices, field by field, taken as
// independent and uniform as the generator draws them. No encoding of the
// records can be smaller on average without knowing the generator itself
// (every record is a function of (seed, i), so a program that knows
// mulberry32 could store the seed alone — not a storage format). What the
// floor counts:
// - per request (shared by its 1-6 lines): service, host, request id, method,
//   path, outcome (level of a failing last line), status, duration, user id,
//   tier — spread over the request's lines;
// - which lines of a window of 64 belong to which request (the lines of
//   requests are shuffled together): the set partition of the window's slots;
// - per line: level, time jitter (ms and µs), message template and its
//   numbers, the items array, the error object.
// `seq` (the record's number) and the time's 10 ms step are known from the
// record's position: 0 bits.
//
//   node --import tsx bench/logs-entropy.ts [windows]

const log2 = Math.log2;

/** Entropy in bits of a distribution given by weights. */
function entropy(weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  return -weights.reduce((h, w) => (w === 0 ? h : h + (w / total) * log2(w / total)), 0);
}

/** Entropy of a value drawn from `values` with repeats (LEVELS, METHODS). */
function entropyOfList(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return entropy([...counts.values()]);
}

const uniform = (m: number): number => log2(m);

// --- per request (the generator's q stream) ---
const pError = 1 / 8;
const pWarn = 1 / 8;
const requestBits = {
  service: uniform(12),
  host: uniform(6),
  req_id: 64,
  method: entropyOfList(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']),
  path: uniform(9),
  // seen only when the request fails: its last line says error or warn, else nothing
  outcome: entropy([pError, pWarn, 1 - pError - pWarn]),
  status: pError * uniform(4) + pWarn * uniform(3),
  // Math.round(q() * 200_000) / 100: 200,001 values, the two ends half as likely
  duration_ms: log2(200_000),
  user_id: uniform(100_000),
  user_tier: uniform(4),
};

// --- the message: 16 templates, each with its numbers ---
const templateBits = [
  uniform(900),
  uniform(50_000),
  uniform(50_000),
  uniform(100_000) + 3 * uniform(255),
  uniform(10_000_000) + uniform(9),
  uniform(10_000_000) + uniform(500) + uniform(100),
  uniform(30),
  uniform(8) + uniform(10),
  uniform(2000) + uniform(100_000),
  uniform(5000) + entropy([1, 2]),
  uniform(40) + uniform(100_000),
  uniform(5000) + uniform(60),
  uniform(1_000_000),
  uniform(1 << 30) + uniform(300),
  uniform(10_000_000) + uniform(4),
  1 + uniform(100_000),
];
const messageBits = uniform(16) + templateBits.reduce((a, b) => a + b, 0) / templateBits.length;

// --- the items array (20 % of lines): 1-4 items of SKU-0..4999 × qty 1..5 ---
const itemsBits = entropy([1, 4]) + 0.2 * (uniform(4) + 2.5 * (uniform(5000) + uniform(5)));

// --- which request each line of a window belongs to, sampled ---
const WINDOW = 64;
const MAX_LINES = 6;
function logFactorial(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += log2(k);
  return s;
}

/**
 * -log2 P(partition) of one window: the request lengths (each 1-6, the last
 * cut at the window's end), times the shuffle of their slots, divided by the
 * k! labelings of the requests that give the same partition of slots.
 */
function partitionBits(random: () => number): { bits: number; requests: number; lastLines: number } {
  let slot = 0;
  let bits = logFactorial(WINDOW);
  let requests = 0;
  while (slot < WINDOW) {
    const left = WINDOW - slot;
    const length = Math.min(left, 1 + Math.floor(random() * MAX_LINES));
    // P(length) = 1/6, or for a length cut at the end (length = left < 6): (7 - left) / 6
    bits += length === left && left < MAX_LINES ? -log2((MAX_LINES + 1 - left) / MAX_LINES) : log2(MAX_LINES);
    bits -= logFactorial(length);
    slot += length;
    requests++;
  }
  bits -= logFactorial(requests);
  return { bits, requests, lastLines: requests };
}

export function logsEntropyFloor(windows = 200_000): Record<string, number> {
  let state = 12345;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
  let partition = 0;
  let requests = 0;
  for (let w = 0; w < windows; w++) {
    const p = partitionBits(random);
    partition += p.bits;
    requests += p.requests;
  }
  const lines = windows * WINDOW;
  const requestsPerLine = requests / lines;
  // A failing request's last line takes the request's outcome; every other line is debug 1/5, info 4/5.
  const lastFailing = requestsPerLine * (pError + pWarn);
  const levelBits = (1 - lastFailing) * entropy([1, 4]);
  const errorBits = requestsPerLine * pError * (uniform(3) + uniform(5));
  const perRecord: Record<string, number> = {};
  for (const [field, bits] of Object.entries(requestBits)) perRecord[field] = bits * requestsPerLine;
  perRecord['request_membership'] = partition / lines;
  perRecord['level'] = levelBits;
  perRecord['time (ms jitter + µs)'] = uniform(10) + uniform(1000);
  perRecord['msg'] = messageBits;
  perRecord['items'] = itemsBits;
  perRecord['error'] = errorBits;
  perRecord['seq'] = 0;
  const total = Object.values(perRecord).reduce((a, b) => a + b, 0);
  return { lines_per_request: 1 / requestsPerLine, ...perRecord, total_bits: total, total_bytes: total / 8 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const floor = logsEntropyFloor(Number(process.argv[2] ?? 200_000));
  for (const [k, v] of Object.entries(floor)) console.log(`${k.padEnd(24)} ${v.toFixed(3)}${k.startsWith('total') || k === 'lines_per_request' ? '' : ' bits'}`);
}
