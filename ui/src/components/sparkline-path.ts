// The SVG path of a sparkline: one polyline scaled to a box, gaps where a
// value is null (a step without requests), lone values as dots. Pure.

/** `M x y L x y …` over `width`×`height`, y flipped (larger values higher). */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0 || values.length === 0) return '';
  const min = Math.min(...finite, 0);
  let max = Math.max(...finite);
  if (max === min) max = min + 1;
  const dx = values.length > 1 ? width / (values.length - 1) : 0;
  const pad = 1;
  const scaleY = (v: number): number => pad + (height - 2 * pad) * (1 - (v - min) / (max - min));
  const present = (i: number): boolean => i >= 0 && i < values.length && values[i] !== null && Number.isFinite(values[i]);
  let path = '';
  values.forEach((v, i) => {
    if (v === null || !present(i)) return;
    const x = round(i * dx);
    const y = round(scaleY(v));
    if (present(i - 1)) path += `L${x} ${y} `;
    // A point without neighbours is drawn as a dot (zero-length segment, round caps).
    else path += present(i + 1) ? `M${x} ${y} ` : `M${x} ${y} L${x} ${y} `;
  });
  return path.trim();
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
