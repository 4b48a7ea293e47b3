import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { query } from 'chdb';
import { concatenateParquet } from './parquet/concatenate.js';
import { queryRows, seededRandom, sqlString, stringEntriesColumn, withDuckDB, withTempDir } from './parquet/testing.js';
import { ParquetColumnFileWriter, type ParquetColumn } from './parquet/writer.js';
import { EntrySplits, isTemplateCandidate, templateIdColumn, templateNumberColumn, templateTextColumn, templatedColumnOf, type TemplatedText } from './log-text-template.js';
import { logRowProjection, searchLogColumns, withLogPartSql } from './log-part-projection.js';
import { LOG_HOT_COLUMNS } from './log-columns.js';
import { PartPagesCache, readRowsAt } from '../query/part-pages.js';

type Entries = Extract<ParquetColumn, { kind: 'string-entries' }>;

const TRICKY = [
  'order 4711 created with 3 items',
  'user u-123 logged in from 10.1.22.255',
  'leading 007 zero, 0 alone, -5 negative, 3.05 and 3.50',
  'braces {0} {{1}} } { and %d %s',
  'in words: a1 2b x_1 1_x é12 12é ١٢ 12',
  'sixteen digits 1234567890123456 and fifteen 123456789012345, 2147483647 2147483648 4294967296',
  'nine: 1 2 3 4 5 6 7 8 9',
  '42',
  '',
  'no numbers at all',
  'separator\u001e7\u001e',
  'emoji 😀5 5😀 tab\t9\tnewline\n10',
  '[{"sku":"SKU-12","qty":3},{"sku":"SKU-4999","qty":1}]',
];

/** `rows` random messages as a text column, its templates and numbers, and a `seq` column numbering the rows. */
function templatedFixture(rows: number): { rows: number; values: (string | undefined)[]; column: Entries; t: NonNullable<ReturnType<typeof templateTextColumn>>; seq: ParquetColumn } {
  const values = randomMessages(rows);
  const column = stringEntriesColumn('body.msg', values) as Entries;
  const seq: ParquetColumn = { name: 'seq', kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) };
  return { rows, values, column, t: templateTextColumn(column)!, seq };
}

function templatesOf(t: TemplatedText): string[] {
  return [...t.template.indices].map((e) => entryText(t.template, e));
}

function entryText(column: Entries, e: number): string {
  return Buffer.from(column.entries.subarray(column.entryStarts[e]! + 4, column.entryStarts[e + 1]!)).toString('utf8');
}

/** Each row's text from its template and variables, as docs/format/log-text-template.md says. */
function rebuilt(t: TemplatedText): string[] {
  return templatesOf(t).map((template, r) =>
    template.replace(/\u0011([0-9a-h])/g, (_m, k: string) => {
      if (k >= '0' && k <= '9') return String(t.numbers[Number(k)]!.values[r]);
      const ids = t.ids[k.charCodeAt(0) - 0x61]!;
      return entryText(ids, ids.indices[r]!);
    }),
  );
}

function randomMessages(n: number): (string | undefined)[] {
  const r = seededRandom(9);
  return Array.from({ length: n }, (_, i) => (i % 17 === 5 ? undefined : i % 3 === 0 ? TRICKY[i % TRICKY.length]! : `request ${Math.floor(r() * 1e6)} served in ${Math.floor(r() * 900)} ms by db-${Math.floor(r() * 8)}:5432 for session ${Math.floor(r() * 2 ** 30).toString(16)}`));
}

function write(path: string, columns: ParquetColumn[], rows: number): void {
  const writer = new ParquetColumnFileWriter(path, rows, { rowGroupRows: 64, codec: { codec: 'gzip', level: 6 }, tryDeltaInt64: true, tryPlainStrings: true, allOptional: true });
  for (const c of columns) writer.add(c);
  writer.finish();
}

describe('text as template + numbers', () => {
  it('takes out whole-word hex-looking variables: canonical numbers as numbers, the others as ids, at most 8 each per value', () => {
    const values = ['a 12 b', 'x1 007 0 -5', 'n 1 2 3 4 5 6 7 8 9', '{3} é4 4', 'session 3fA9 and 12345678901 or 2147483647, not deadbeef', 'b'];
    const t = templateTextColumn(stringEntriesColumn('body.msg', values) as Entries)!;
    // each row's template with its placeholders masked, then rebuilt from its columns
    assert.deepEqual(
      templatesOf(t).map((x) => x.replace(/\u0011[0-9a-h]/g, '§')),
      ['a § b', 'x1 § § -§', 'n § § § § § § § § 9', '{§} é4 §', 'session § and § or §, not deadbeef', 'b'],
    );
    assert.deepEqual(rebuilt(t), values);
    assert.equal(t.numbers.length, 8);
    assert.equal(t.ids.length, 2);
    assert.equal(templateTextColumn(stringEntriesColumn('body.msg', ['no numbers', undefined]) as Entries), undefined);
    assert.equal(templateTextColumn(stringEntriesColumn('body.msg', ['a 1', 'b \u00110 2']) as Entries), undefined, 'text holding the placeholder byte stays text');
  });

  it('puts a variable of one value in every row of its template back into the template', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? `db-3:5432 retrying in ${i % 7} s, order ${1_000_000 + i}` : `order ${2_000_000 + i} has ${i % 5} items`));
    const t = templateTextColumn(stringEntriesColumn('body.msg', values) as Entries)!;
    const templates = new Set(templatesOf(t));
    assert.deepEqual([...templates].sort(), ['db-3:5432 retrying in \u00110 s, order \u00111', 'order \u00110 has \u00111 items']);
    assert.deepEqual(rebuilt(t), values);
  });

  it('keeps thousands of distinct templates apart', () => {
    const values = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `again ${i}` : `key${i % 3000} = ${i}`));
    const t = templateTextColumn(stringEntriesColumn('body.msg', values) as Entries)!;
    assert.equal(t.template.entryStarts.length - 1, new Set(values.map((v) => v.replace(/ \d+$/, ''))).size);
    assert.deepEqual(rebuilt(t), values);
  });

  it('gives the whole column the same pieces from the splits its first rows were sampled with as from its own', () => {
    // after the sample, rows whose variables the sample held constant (port 5432) vary, and new templates and ids come
    const values = [...randomMessages(3000), ...Array.from({ length: 500 }, (_, i) => (i % 2 ? `db-${i % 8}:${5000 + i} down, session ${(i * 7919).toString(16)}` : `late ${i}`))];
    const column = stringEntriesColumn('body.msg', values) as Entries;
    const sampleRows = 1000;
    const sample = { ...column, indices: column.indices.subarray(0, sampleRows), ...(column.nulls ? { nulls: column.nulls.subarray(0, sampleRows) } : {}) };
    const splits = new EntrySplits(column);
    assert.deepEqual(templateTextColumn(sample, splits), templateTextColumn(sample));
    const whole = templateTextColumn(column, splits)!;
    assert.deepEqual(whole, templateTextColumn(column));
    assert.deepEqual(rebuilt(whole).filter((_t, r) => values[r] !== undefined), values.filter((v) => v !== undefined));
  });

  it('names its pieces so readers find the text column again', () => {
    assert.equal(templatedColumnOf('body.msg::template'), 'body.msg');
    assert.equal(templatedColumnOf(templateIdColumn('body.msg', 2)), 'body.msg');
    assert.equal(templatedColumnOf(templateNumberColumn('body.items::array', 3)), 'body.items::array');
    assert.equal(templatedColumnOf('body.msg'), undefined);
    assert.equal(templatedColumnOf('body.msg::template.text'), undefined);
    assert.ok(isTemplateCandidate('body.msg') && isTemplateCandidate('body.items::array') && isTemplateCandidate('body'));
    assert.ok(!isTemplateCandidate('body.n::int') && !isTemplateCandidate('log.msg') && !isTemplateCandidate('body::kvlist') && !isTemplateCandidate('service_name'));
  });

  it('reads back every value exactly through DuckDB, also concatenated with a part holding the text', async () => {
    const { rows, values, column, t, seq } = templatedFixture(500);
    await withTempDir((dir) =>
      withDuckDB(async (connection) => {
        const templated = join(dir, 'templated.parquet');
        const text = join(dir, 'text.parquet');
        const templatedColumns = ['seq', t.template.name, ...t.numbers.map((c) => c.name), ...t.ids.map((c) => c.name)];
        write(templated, [seq, t.template, ...t.numbers, ...t.ids], rows);
        write(text, [seq, column], rows);
        const read = async (relation: string): Promise<(string | null)[]> =>
          (await queryRows(connection, `SELECT "body.msg" AS m FROM ${relation} ORDER BY seq`)).map((r) => r['m'] as string | null);
        const expected = values.map((v) => v ?? null);
        assert.deepEqual(await read(withLogPartSql(`read_parquet(${sqlString(templated)})`, templatedColumns)), expected);
        const [row] = await queryRows(connection, `SELECT * FROM ${withLogPartSql(`read_parquet(${sqlString(templated)})`, templatedColumns)} LIMIT 1`);
        // (and the hot columns the file lacks, as NULLs: log-empty-columns.ts)
        const hot = new Set(LOG_HOT_COLUMNS.map((c) => c.name));
        assert.deepEqual(Object.keys(row!).filter((k) => !hot.has(k)).sort(), ['body.msg', 'seq'], 'views see the text only');
        const merged = join(dir, 'merged.parquet');
        assert.equal(concatenateParquet([text, templated], merged, { codec: 'gzip', level: 6 }), true);
        const both = ['seq', 'body.msg', ...templatedColumns.slice(1)];
        const mergedRows = (await queryRows(connection, `SELECT "body.msg" AS m, "body.msg::template.text" AS stored FROM ${withLogPartSql(`read_parquet(${sqlString(merged)})`, both, { keepStored: true })} ORDER BY seq, stored NULLS LAST`)).map(
          (r) => r['m'] as string | null,
        );
        assert.deepEqual(mergedRows, expected.flatMap((v) => [v, v]));
        assert.ok(searchLogColumns(both).has('body.msg::template.text'));
      }),
    );
  });

  it('reads back every value exactly by row from the pages, without DuckDB, also merged with a part holding the text', async () => {
    const { rows, values, column, t, seq } = templatedFixture(500);
    await withTempDir(async (dir) => {
      const templated = join(dir, 'templated.parquet');
      const text = join(dir, 'text.parquet');
      const templatedColumns = ['seq', t.template.name, ...t.numbers.map((c) => c.name), ...t.ids.map((c) => c.name)];
      write(templated, [seq, t.template, ...t.numbers, ...t.ids], rows);
      write(text, [seq, column], rows);
      const merged = join(dir, 'merged.parquet');
      assert.equal(concatenateParquet([text, templated], merged, { codec: 'gzip', level: 6 }), true);
      const pages = new PartPagesCache();
      const read = async (path: string, columns: string[], at: number[]): Promise<(string | null)[]> => {
        const project = logRowProjection(columns);
        return (await readRowsAt(pages.get(path), at)).map((r) => {
          const row = project(r);
          assert.ok(Object.keys(row).every((k) => k === 'seq' || k === 'body.msg'), 'the stored pieces are left out');
          return (row['body.msg'] as string | undefined) ?? null;
        });
      };
      const every = values.map((_, i) => i);
      const expected = values.map((v) => v ?? null);
      assert.deepEqual(await read(templated, templatedColumns, every), expected);
      const some = every.filter((i) => i % 7 === 3);
      assert.deepEqual(await read(templated, templatedColumns, some), some.map((i) => expected[i]!));
      assert.deepEqual(await read(merged, ['seq', 'body.msg', ...templatedColumns.slice(1)], [...some, ...some.map((i) => i + rows)]), [...some, ...some].map((i) => expected[i]!));
    });
  });

  it('reads back through ClickHouse (chdb) with the rebuild docs/format/log-text-template.md gives', async () => {
    const rows = 300;
    const values = randomMessages(rows);
    const t = templateTextColumn(stringEntriesColumn('body.msg', values) as Entries)!;
    const seq: ParquetColumn = { name: 'seq', kind: 'int64', values: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) };
    await withTempDir(async (dir) => {
      const path = join(dir, 'templated.parquet');
      write(path, [seq, t.template, ...t.numbers, ...t.ids], rows);
      let text = '`body.msg::template`';
      for (let k = 0; k < t.numbers.length; k++) text = `replaceAll(${text}, '\\x11${k}', ifNull(toString(\`body.msg::template.${k}\`), ''))`;
      for (let k = 0; k < t.ids.length; k++) text = `replaceAll(${text}, '\\x11${String.fromCharCode(0x61 + k)}', ifNull(\`body.msg::template.id${k}\`, ''))`;
      const out = query(`SELECT ${text} AS m FROM file('${path}', Parquet) ORDER BY seq`, 'JSONEachRow')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { m: string | null }).m);
      assert.deepEqual(out, values.map((v) => v ?? null));
    });
  });
});
