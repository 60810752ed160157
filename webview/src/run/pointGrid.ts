/**
 * The nearest drawn point to the mouse, in screen space, for the scatter's hover: points are bucketed into square
 * cells once per draw, so a hover looks at the 3×3 cells around the mouse instead of all 5,000 points. Pure: no DOM.
 */
export class PointGrid {
  private readonly cells = new Map<number, number[]>();

  /** `xs`, `ys`: screen positions of the points (NaN: not drawn); `cell`: the cell's side, the hover radius. */
  constructor(
    private readonly xs: ArrayLike<number>,
    private readonly ys: ArrayLike<number>,
    private readonly cell = 12,
  ) {
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
      const key = this.key(Math.floor(xs[i] / cell), Math.floor(ys[i] / cell));
      const list = this.cells.get(key);
      if (list) list.push(i);
      else this.cells.set(key, [i]);
    }
  }

  /** The index of the nearest point within one cell's side of (x, y), or -1. */
  nearest(x: number, y: number): number {
    const cx = Math.floor(x / this.cell),
      cy = Math.floor(y / this.cell);
    let best = -1,
      bestDist = this.cell * this.cell;
    for (let gx = cx - 1; gx <= cx + 1; gx++)
      for (let gy = cy - 1; gy <= cy + 1; gy++)
        for (const i of this.cells.get(this.key(gx, gy)) ?? []) {
          const dist = (this.xs[i] - x) ** 2 + (this.ys[i] - y) ** 2;
          if (dist <= bestDist) {
            bestDist = dist;
            best = i;
          }
        }
    return best;
  }

  private key(gx: number, gy: number): number {
    return (gx + 4096) * 8192 + (gy + 4096);
  }
}
