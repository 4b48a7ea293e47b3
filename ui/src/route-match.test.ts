import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hrefOf, matchRoute, pathOf } from './route-match.js';

const routes = [
  { key: 'services', pattern: '/services' },
  { key: 'service', pattern: '/services/:service' },
  { key: 'trace', pattern: '/trace/:id' },
] as const;

describe('matchRoute', () => {
  it('matches fixed paths, ignoring a trailing slash', () => {
    assert.deepEqual(matchRoute('/services', routes), { key: 'services', params: {} });
    assert.deepEqual(matchRoute('/services/', routes), { key: 'services', params: {} });
  });

  it('captures decoded parameters', () => {
    assert.deepEqual(matchRoute('/services/checkout%20api', routes), { key: 'service', params: { service: 'checkout api' } });
    assert.deepEqual(matchRoute('/trace/0af7651916cd43dd8448eb211c80319c', routes), { key: 'trace', params: { id: '0af7651916cd43dd8448eb211c80319c' } });
  });

  it('matches nothing for other paths and for malformed escapes', () => {
    assert.equal(matchRoute('/nope', routes), undefined);
    assert.equal(matchRoute('/services/a/b', routes), undefined);
    assert.equal(matchRoute('/services/%E0%A4%A', routes), undefined);
  });
});

describe('pathOf and hrefOf', () => {
  it('encodes parameters and round-trips through matchRoute', () => {
    const path = pathOf('/services/:service', { service: 'a/b c' });
    assert.equal(path, '/services/a%2Fb%20c');
    assert.deepEqual(matchRoute(path, routes)?.params, { service: 'a/b c' });
  });

  it('refuses a missing parameter', () => {
    assert.throws(() => pathOf('/trace/:id'), /missing parameter id/);
  });

  it('leaves empty query values out', () => {
    assert.equal(hrefOf('/search', { q: '{ status = error }', from: undefined, to: '', limit: 20 }), '/search?q=%7B+status+%3D+error+%7D&limit=20');
    assert.equal(hrefOf('/search', { from: null }), '/search');
  });
});
