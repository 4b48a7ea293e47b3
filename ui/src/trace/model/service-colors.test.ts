import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignServiceColors, contrastRatio, preferredSlot, SERVICE_PALETTE } from './service-colors.js';

// the themes' page and panel backgrounds (ui/src/styles.css)
const LIGHT_BACKGROUNDS = ['#ffffff', '#f7f7f5'];
const DARK_BACKGROUNDS = ['#15171a', '#1d2024'];

describe('service colours', () => {
  it('gives a service the same colour whatever else is in the trace', () => {
    const a = assignServiceColors(['frontend', 'cart', 'payment']);
    const b = assignServiceColors(['payment', 'frontend']);
    assert.equal(a.get('frontend'), b.get('frontend'));
    assert.equal(a.get('payment'), b.get('payment'));
    assert.equal(a.get('frontend'), SERVICE_PALETTE[preferredSlot('frontend')]);
  });

  it('does not depend on the order services are listed in', () => {
    const services = Array.from({ length: 12 }, (_, i) => `service-${i}`);
    assert.deepEqual([...assignServiceColors(services)].sort(), [...assignServiceColors([...services].reverse())].sort());
  });

  it('gives distinct colours while the palette lasts, then reuses them', () => {
    const services = Array.from({ length: SERVICE_PALETTE.length }, (_, i) => `svc-${i}`);
    assert.equal(new Set(assignServiceColors(services).values()).size, SERVICE_PALETTE.length);
    const more = assignServiceColors([...services, 'one-more']);
    assert.equal(more.size, SERVICE_PALETTE.length + 1);
    assert.ok(SERVICE_PALETTE.includes(more.get('one-more')!));
  });

  it('has a palette of distinct colours readable on both themes (3:1 or more)', () => {
    assert.equal(new Set(SERVICE_PALETTE).size, SERVICE_PALETTE.length);
    for (const colour of SERVICE_PALETTE) {
      for (const bg of [...LIGHT_BACKGROUNDS, ...DARK_BACKGROUNDS]) assert.ok(contrastRatio(colour, bg) >= 3, `${colour} on ${bg}`);
    }
  });

  it('computes WCAG contrast', () => {
    assert.equal(contrastRatio('#000000', '#ffffff'), 21);
    assert.equal(contrastRatio('#777777', '#777777'), 1);
  });
});
