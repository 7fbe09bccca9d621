// The order in which the coarsest hole is synthesised: structure first (Criminisi et al. 2004).
//
// Filling the hole in rings from its edge inwards advances every part of the front at the same
// speed, so an edge entering the hole from two sides is extrapolated by two fronts that meet in a
// notch, and flat regions grow over the place where the edge should run. Here each pixel on the
// front gets the priority confidence × (data + ε): confidence is the share of its patch already
// known (filled pixels count with the confidence they were filled with), data is the strength of
// the isophote (the image's edge direction) flowing into the hole at that pixel, |∇I⊥ · n| where n
// is the front's normal. Edges that meet the front head-on are continued first, across the hole,
// and the flat areas fill in around them.

/** Keeps a little priority for flat fronts, so that confidence alone orders them. */
const DATA_FLOOR = 0.02;

export class FrontQueue {
  private readonly conf: Float32Array;
  private readonly prio: Float64Array;
  /** Binary max-heap of (priority, pixel) with lazy deletion: an entry is stale when its priority differs from `prio`. */
  private heapP = new Float64Array(64);
  private heapI = new Int32Array(64);
  private size = 0;

  /**
   * `filled` (w·h, 1 = known or already synthesised) is read as the fill goes on; `img` is RGB (3
   * floats per pixel); `r` the patch half-side.
   */
  constructor(
    private readonly img: Float32Array,
    private readonly filled: Uint8Array,
    private readonly w: number,
    private readonly h: number,
    private readonly r: number,
  ) {
    const n = w * h;
    this.conf = new Float32Array(n);
    this.prio = new Float64Array(n).fill(-1);
    for (let i = 0; i < n; i++) if (filled[i]) this.conf[i] = 1;
    for (let i = 0; i < n; i++) if (!filled[i] && this.onFront(i)) this.update(i);
  }

  /** The front pixel to fill next, or −1 when none is left. */
  pop(): number {
    while (this.size > 0) {
      const p = this.heapP[0],
        i = this.heapI[0];
      this.removeTop();
      if (!this.filled[i] && this.prio[i] === p) return i;
    }
    return -1;
  }

  /** Record that `i` (popped by `pop`) is now filled, and re-rank the front around it. */
  markFilled(i: number): void {
    const { w, h, r } = this;
    this.conf[i] = this.patchConfidence(i);
    this.prio[i] = -1;
    const x = i % w,
      y = (i - x) / w;
    // Neighbours whose patch (confidence) or 3×3 front (normal, isophote) contains i.
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
      for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
        const j = yy * w + xx;
        if (!this.filled[j] && this.onFront(j)) this.update(j);
      }
  }

  private onFront(i: number): boolean {
    const { w, h } = this;
    const x = i % w,
      y = (i - x) / w;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx,
          yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < w && yy < h && this.filled[yy * w + xx]) return true;
      }
    return false;
  }

  private patchConfidence(i: number): number {
    const { w, h, r } = this;
    const x = i % w,
      y = (i - x) / w;
    let s = 0;
    for (let yy = y - r; yy <= y + r; yy++)
      for (let xx = x - r; xx <= x + r; xx++) if (xx >= 0 && yy >= 0 && xx < w && yy < h && this.filled[yy * w + xx]) s += this.conf[yy * w + xx];
    return s / ((2 * r + 1) * (2 * r + 1));
  }

  /** Luminance at a filled pixel. */
  private lum(i: number): number {
    return (this.img[i * 3] + this.img[i * 3 + 1] + this.img[i * 3 + 2]) / 3;
  }

  /** |∇I⊥ · n| / 255 at front pixel i: the strongest isophote among its filled neighbours, against the front's normal. */
  private data(i: number): number {
    const { w, h, filled } = this;
    const x = i % w,
      y = (i - x) / w;
    // Normal: the gradient of the filled mask (Sobel), pointing into the hole.
    let nx = 0,
      ny = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx,
          yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h || !filled[yy * w + xx]) continue;
        const k = dx === 0 || dy === 0 ? 2 : 1;
        nx -= dx * k;
        ny -= dy * k;
      }
    const nl = Math.hypot(nx, ny);
    if (nl === 0) return 0;
    nx /= nl;
    ny /= nl;
    // Isophote: the gradient of a filled neighbour (central differences over filled pixels), rotated by 90°.
    let sum = 0,
      cnt = 0;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx,
          yy = y + dy;
        if (xx < 1 || yy < 1 || xx >= w - 1 || yy >= h - 1) continue;
        const q = yy * w + xx;
        if (!filled[q] || !filled[q - 1] || !filled[q + 1] || !filled[q - w] || !filled[q + w]) continue;
        const gx = (this.lum(q + 1) - this.lum(q - 1)) / 2,
          gy = (this.lum(q + w) - this.lum(q - w)) / 2;
        sum += -gy * nx + gx * ny;
        cnt++;
      }
    return cnt ? Math.abs(sum / cnt) / 255 : 0;
  }

  private update(i: number): void {
    const p = this.patchConfidence(i) * (this.data(i) + DATA_FLOOR);
    this.prio[i] = p;
    this.push(p, i);
  }

  private push(p: number, i: number): void {
    if (this.size === this.heapP.length) {
      const P = new Float64Array(this.size * 2),
        I = new Int32Array(this.size * 2);
      P.set(this.heapP);
      I.set(this.heapI);
      this.heapP = P;
      this.heapI = I;
    }
    let k = this.size++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (this.heapP[parent] >= p) break;
      this.heapP[k] = this.heapP[parent];
      this.heapI[k] = this.heapI[parent];
      k = parent;
    }
    this.heapP[k] = p;
    this.heapI[k] = i;
  }

  private removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const p = this.heapP[n],
      i = this.heapI[n];
    let k = 0;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && this.heapP[c + 1] > this.heapP[c]) c++;
      if (this.heapP[c] <= p) break;
      this.heapP[k] = this.heapP[c];
      this.heapI[k] = this.heapI[c];
      k = c;
    }
    this.heapP[k] = p;
    this.heapI[k] = i;
  }
}
