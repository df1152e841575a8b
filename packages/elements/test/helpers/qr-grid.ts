/**
 * Reads the module grid back out of the `<path d>` that `<btpay-invoice>` draws: one
 * `M{x} {y}h{w}v1H{x}z` rectangle per horizontal run of dark modules. Anything else in the path
 * is an error, so a change of drawing style cannot silently turn into an empty grid.
 */
export function gridFromPath(path: string, size: number): boolean[][] {
  const grid = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const run = /M(\d+) (\d+)h(\d+)v1H\1z/y;
  while (run.lastIndex < path.length) {
    const at = run.lastIndex;
    const match = run.exec(path);
    if (!match) throw new Error(`unexpected path data at ${at}: ${path.slice(at, at + 40)}`);
    const [, x, y, width] = match.map(Number) as [number, number, number, number];
    if (y >= size || x + width > size) throw new Error(`run outside the ${size}x${size} grid: ${match[0]}`);
    for (let i = 0; i < width; i++) grid[y]![x + i] = true;
  }
  return grid;
}
