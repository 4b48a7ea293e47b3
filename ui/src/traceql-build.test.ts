import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addConditions, durationConditions, durationLiteral, equalsCondition, operationFilter, spansetBody, traceqlString } from './traceql-build.js';

describe('building TraceQL from clicks', () => {
  it('quotes strings and leaves status and kind keywords bare', () => {
    assert.equal(traceqlString('say "hi"\\now'), '"say \\"hi\\"\\\\now"');
    assert.equal(equalsCondition('span.http.route', '/api/cart'), 'span.http.route = "/api/cart"');
    assert.equal(equalsCondition('status', 'error'), 'status = error');
    assert.equal(equalsCondition('kind', 'server'), 'kind = server');
    assert.equal(equalsCondition('status', 'weird'), 'status = "weird"');
  });

  it('writes duration bounds in readable units', () => {
    assert.equal(durationLiteral(2000), '2s');
    assert.equal(durationLiteral(1250), '1250ms');
    assert.equal(durationLiteral(12.5), '12.5ms');
    assert.equal(durationLiteral(0.8), '800us');
    assert.deepEqual(durationConditions(100, undefined), ['duration >= 100ms']);
    assert.deepEqual(durationConditions(100, 2000), ['duration >= 100ms', 'duration < 2s']);
  });

  it('finds the body of a single spanset, ignoring braces inside strings', () => {
    assert.equal(spansetBody(''), '');
    assert.equal(spansetBody('{ }'), '');
    assert.equal(spansetBody('{ .a = "}{" }'), '.a = "}{"');
    assert.equal(spansetBody('{ .a = 1 } && { .b = 2 }'), undefined);
    assert.equal(spansetBody('{ .a = 1 } | count() > 2'), undefined);
  });

  it('merges conditions into the one spanset, bracketing an OR', () => {
    assert.equal(addConditions('{}', ['status = error']), '{ status = error }');
    assert.equal(addConditions('{ .a = 1 }', ['status = error']), '{ .a = 1 && status = error }');
    assert.equal(addConditions('{ .a = 1 || .b = 2 }', ['duration >= 1s']), '{ (.a = 1 || .b = 2) && duration >= 1s }');
    assert.equal(addConditions('{ .a = 1 } && { .b = 2 }', ['status = error']), '({ .a = 1 } && { .b = 2 }) && { status = error }');
    assert.equal(addConditions('{ .a = 1 }', []), '{ .a = 1 }');
  });

  it('selects an operation of a service', () => {
    assert.equal(operationFilter('cart'), '{ resource.service.name = "cart" }');
    assert.equal(operationFilter('cart', 'GET /cart'), '{ resource.service.name = "cart" && name = "GET /cart" }');
  });
});
