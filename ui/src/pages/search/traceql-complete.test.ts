import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyCompletion, completionContext, filterSuggestions, keySuggestions, valueLiteral } from './traceql-complete.js';

const at = (textWithCaret: string) => {
  const caret = textWithCaret.indexOf('^');
  return completionContext(textWithCaret.replace('^', ''), caret);
};

describe('TraceQL completion context', () => {
  it('offers keys where a condition starts', () => {
    assert.deepEqual(at('{ ^'), { kind: 'key', prefix: '', from: 2, to: 2 });
    assert.deepEqual(at('{ resource.serv^'), { kind: 'key', prefix: 'resource.serv', from: 2, to: 15 });
    assert.deepEqual(at('{ status = error && span.ht^tp }'), { kind: 'key', prefix: 'span.ht', from: 20, to: 29 });
    assert.deepEqual(at('{ (a = 1 || ^'), { kind: 'key', prefix: '', from: 12, to: 12 });
  });

  it('offers values after a comparison, inside or outside quotes', () => {
    assert.deepEqual(at('{ resource.service.name = ^'), { kind: 'value', key: 'resource.service.name', prefix: '', from: 26, to: 26, quoted: false });
    assert.deepEqual(at('{ resource.service.name = "ca^'), { kind: 'value', key: 'resource.service.name', prefix: 'ca', from: 26, to: 29, quoted: true });
    assert.deepEqual(at('{ name != "GET ^/x" }'), { kind: 'value', key: 'name', prefix: 'GET ', from: 10, to: 18, quoted: true });
    assert.deepEqual(at('{ status=er^'), { kind: 'value', key: 'status', prefix: 'er', from: 9, to: 11, quoted: false });
  });

  it('offers nothing outside a spanset or right after a value', () => {
    assert.equal(at('^'), undefined);
    assert.equal(at('{ a = 1 } ^'), undefined);
    assert.equal(at('{ a = 1 ^'), undefined);
    assert.equal(at('{ a = "x" ^'), undefined);
  });

  it('replaces the word or the whole string at the caret', () => {
    const text = '{ resource.service.name = "ca" }';
    const ctx = completionContext(text, 29)!;
    assert.deepEqual(applyCompletion(text, ctx, '"cart"'), { text: '{ resource.service.name = "cart" }', caret: 32 });
    const keyText = '{ span.ht }';
    assert.deepEqual(applyCompletion(keyText, completionContext(keyText, 9)!, 'span.http.route'), { text: '{ span.http.route }', caret: 17 });
  });
});

describe('TraceQL suggestions', () => {
  it('spells keys by scope and values by type', () => {
    assert.deepEqual(
      keySuggestions([
        { name: 'resource', tags: ['service.name'] },
        { name: 'intrinsic', tags: ['status'] },
      ]).map((s) => s.insert),
      ['resource.service.name', 'status'],
    );
    assert.equal(valueLiteral('say "hi"', 'string'), '"say \\"hi\\""');
    assert.equal(valueLiteral('500', 'int'), '500');
    assert.equal(valueLiteral('error', 'keyword'), 'error');
  });

  it('ranks prefix matches before substring matches and drops the exact word', () => {
    const items = ['span.http.route', 'resource.http.x', 'span.db', 'span'].map((l) => ({ insert: l, label: l }));
    assert.deepEqual(filterSuggestions(items, 'span').map((s) => s.label), ['span.http.route', 'span.db']);
    assert.deepEqual(filterSuggestions(items, 'http').map((s) => s.label), ['span.http.route', 'resource.http.x']);
    assert.equal(filterSuggestions(items, '', 2).length, 2);
  });
});
