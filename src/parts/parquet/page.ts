// Page headers. Sizes are of the page body (header excluded): uncompressed,
// and as stored (equal for an UNCOMPRESSED column chunk).

import { Encoding } from './metadata.js';
import { ThriftCompactWriter } from './thrift-compact.js';

const PAGE_TYPE_DATA = 0;
const PAGE_TYPE_DICTIONARY = 2;

/**
 * PageHeader { 1 type = DATA_PAGE · 2 uncompressed_page_size i32 · 3 compressed_page_size i32
 *   · 5 data_page_header DataPageHeader { 1 num_values i32 (nulls included) · 2 encoding
 *   · 3 definition_level_encoding = RLE · 4 repetition_level_encoding = RLE } }
 */
export function encodeDataPageHeader(bodyBytes: number, numValues: number, encoding: Encoding, storedBytes = bodyBytes): Uint8Array {
  const w = new ThriftCompactWriter();
  w.structBegin();
  w.i32Field(1, PAGE_TYPE_DATA);
  w.i32Field(2, bodyBytes);
  w.i32Field(3, storedBytes);
  w.structField(5);
  w.i32Field(1, numValues);
  w.i32Field(2, encoding);
  w.i32Field(3, Encoding.RLE);
  w.i32Field(4, Encoding.RLE);
  w.structEnd();
  w.structEnd();
  return w.finish();
}

/**
 * PageHeader { 1 type = DICTIONARY_PAGE · 2 uncompressed_page_size i32 · 3 compressed_page_size i32
 *   · 7 dictionary_page_header DictionaryPageHeader { 1 num_values i32 · 2 encoding = PLAIN } }
 */
export function encodeDictionaryPageHeader(bodyBytes: number, entries: number, storedBytes = bodyBytes): Uint8Array {
  const w = new ThriftCompactWriter();
  w.structBegin();
  w.i32Field(1, PAGE_TYPE_DICTIONARY);
  w.i32Field(2, bodyBytes);
  w.i32Field(3, storedBytes);
  w.structField(7);
  w.i32Field(1, entries);
  w.i32Field(2, Encoding.PLAIN);
  w.structEnd();
  w.structEnd();
  return w.finish();
}
