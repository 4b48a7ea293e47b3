// Service colours: the same service gets the same colour in every trace (its
// name is hashed to a palette slot), and services of one trace do not share a
// colour while the palette lasts (a taken slot probes to the next free one, in
// name order so the result does not depend on span order).
//
// The palette avoids pure reds (red means error here) and keeps relative
// luminance between 0.15 and 0.30, so each colour has at least 3:1 contrast
// (WCAG, graphical objects) against both the light and the dark background.

export const SERVICE_PALETTE: readonly string[] = [
  '#3b82c4', // blue
  '#c8741f', // orange
  '#3a9e6f', // green
  '#8e6bbf', // purple
  '#1f9aa8', // teal
  '#c2569b', // magenta
  '#7d8f2e', // olive
  '#9c6644', // brown
  '#5c7cfa', // indigo
  '#a88a1f', // ochre
  '#6f8a9e', // slate
  '#5f9e2f', // lime
  '#a66fd1', // violet
  '#1971c2', // deep blue
  '#d0672e', // rust
  '#4c9a9a', // sea
];

/** FNV-1a, 32 bit: cheap, and spreads similar names ("cart", "carts") apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The palette slot a service prefers when nothing else has taken it. */
export function preferredSlot(service: string, paletteSize = SERVICE_PALETTE.length): number {
  return hash32(service) % paletteSize;
}

export function assignServiceColors(services: readonly string[], palette: readonly string[] = SERVICE_PALETTE): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Uint8Array(palette.length);
  let free = palette.length;
  for (const service of [...new Set(services)].sort()) {
    let slot = preferredSlot(service, palette.length);
    if (free > 0) {
      while (taken[slot]) slot = (slot + 1) % palette.length;
      taken[slot] = 1;
      free--;
    }
    colors.set(service, palette[slot]!);
  }
  return colors;
}

/** sRGB relative luminance of #rrggbb (WCAG 2). */
export function relativeLuminance(hex: string): number {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c: number): number => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(n >> 16) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
