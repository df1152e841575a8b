/**
 * A small, independent QR decoder for tests: module grid in, text out. Written from ISO/IEC 18004
 * (layout and tables as in Nayuki's reference implementation), sharing no code with the `qrcode`
 * package the elements encode with, so a passing decode proves the rendered symbol says what we
 * claim, not merely that qrcode agrees with itself. It reads what a scanner reads: format
 * information (both copies, BCH-checked), the masked zigzag data stream, the interleaved blocks, and
 * checks every block's Reed-Solomon codewords instead of correcting errors (a freshly rendered symbol
 * has none). Error-correction level M only (what `<btpay-invoice>` renders); numeric, alphanumeric and
 * byte segments.
 */

export interface DecodedQr {
  version: number;
  errorCorrection: "L" | "M" | "Q" | "H";
  mask: number;
  segments: { mode: "numeric" | "alphanumeric" | "byte"; text: string }[];
  text: string;
}

// Index = version. Level M only; from the standard's table 9.
const ECC_PER_BLOCK_M = [
  -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
];
const BLOCKS_M = [
  -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33,
  35, 37, 38, 40, 43, 45, 47, 49,
];
const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const LEVELS = ["M", "L", "H", "Q"] as const; // format bits 00, 01, 10, 11

const MASKS: ((x: number, y: number) => boolean)[] = [
  (x, y) => (x + y) % 2 === 0,
  (_, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/** BCH(15,5) check bits of the 5 format data bits, before the 0x5412 mask. */
function formatBch(data: number): number {
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  return rem & 0x3ff;
}

function readFormat(dark: (x: number, y: number) => boolean, size: number): number {
  let first = 0;
  let second = 0;
  // Bits 14..0, most significant first, in the order they are drawn (ISO 18004 figure 25).
  const firstCopy: [number, number][] = [];
  for (let i = 0; i <= 5; i++) firstCopy.push([8, i]);
  firstCopy.push([8, 7], [8, 8], [7, 8]);
  for (let i = 9; i < 15; i++) firstCopy.push([14 - i, 8]);
  const secondCopy: [number, number][] = [];
  for (let i = 0; i < 8; i++) secondCopy.push([size - 1 - i, 8]);
  for (let i = 8; i < 15; i++) secondCopy.push([8, size - 15 + i]);
  firstCopy.forEach(([x, y], i) => {
    if (dark(x, y)) first |= 1 << i;
  });
  secondCopy.forEach(([x, y], i) => {
    if (dark(x, y)) second |= 1 << i;
  });
  if (first !== second) throw new Error("the two format information copies differ");
  const bits = first ^ 0x5412;
  if (formatBch(bits >>> 10) !== (bits & 0x3ff)) throw new Error("format information fails its BCH check");
  return bits >>> 10;
}

function alignmentPositions(version: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const positions = [6];
  for (let pos = version * 4 + 10; positions.length < count; pos -= step) positions.splice(1, 0, pos);
  return positions;
}

/** Which modules belong to function patterns (finders, timing, alignment, format, version). */
function functionModules(version: number, size: number): boolean[][] {
  const fn = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  const rect = (x: number, y: number, w: number, h: number) => {
    for (let dy = 0; dy < h; dy++) for (let dx = 0; dx < w; dx++) fn[y + dy]![x + dx] = true;
  };
  rect(0, 6, size, 1);
  rect(6, 0, 1, size);
  rect(0, 0, 9, 9); // finder, separator and format bits, top left
  rect(size - 8, 0, 8, 9);
  rect(0, size - 8, 9, 8);
  const align = alignmentPositions(version);
  const last = align.length - 1;
  align.forEach((ay, i) => {
    align.forEach((ax, j) => {
      const onFinder = (i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0);
      if (!onFinder) rect(ax - 2, ay - 2, 5, 5);
    });
  });
  if (version >= 7) {
    rect(size - 11, 0, 3, 6);
    rect(0, size - 11, 6, 3);
  }
  return fn;
}

// GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
function gfMultiply(x: number, y: number): number {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

function reedSolomonRemainder(data: number[], degree: number): number[] {
  const divisor = new Array<number>(degree).fill(0);
  divisor[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      divisor[j] = gfMultiply(divisor[j]!, root) ^ (j + 1 < degree ? divisor[j + 1]! : 0);
    }
    root = gfMultiply(root, 0x02);
  }
  const result = new Array<number>(degree).fill(0);
  for (const b of data) {
    const factor = b ^ result.shift()!;
    result.push(0);
    divisor.forEach((coef, i) => {
      result[i]! ^= gfMultiply(coef, factor);
    });
  }
  return result;
}

/** Decode a square module grid (`grid[y][x]`, true = dark, no quiet zone). */
export function decodeQr(grid: boolean[][]): DecodedQr {
  const size = grid.length;
  const version = (size - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > 40) throw new Error(`no QR version is ${size} modules`);
  const dark = (x: number, y: number) => grid[y]![x] === true;
  const format = readFormat(dark, size);
  const errorCorrection = LEVELS[format >>> 3]!;
  const mask = format & 7;
  if (errorCorrection !== "M") throw new Error(`error-correction level ${errorCorrection}: this decoder reads M only`);

  // The data stream: two-module columns from the right, zigzagging up and down, skipping column 6.
  const fn = functionModules(version, size);
  const bits: number[] = [];
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    for (let vert = 0; vert < size; vert++) {
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        const y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
        if (!fn[y]![x]) bits.push(Number(dark(x, y) !== MASKS[mask]!(x, y)));
      }
    }
  }
  const raw: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) raw.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  // Undo the block interleaving; check each block's error-correction codewords.
  const blockCount = BLOCKS_M[version]!;
  const eccLength = ECC_PER_BLOCK_M[version]!;
  const shortBlocks = blockCount - (raw.length % blockCount);
  const shortLength = Math.floor(raw.length / blockCount);
  // Every block padded to the long length; short blocks hold a dummy where long ones have one more
  // data codeword, and the interleaved stream skips it.
  const dummy = shortLength - eccLength;
  const blocks = Array.from({ length: blockCount }, () => new Array<number>(shortLength + 1).fill(0));
  let k = 0;
  for (let i = 0; i <= shortLength; i++) {
    for (let j = 0; j < blockCount; j++) {
      if (i !== dummy || j >= shortBlocks) blocks[j]![i] = raw[k++]!;
    }
  }
  blocks.forEach((block, j) => {
    if (j < shortBlocks) block.splice(dummy, 1);
  });
  const data: number[] = [];
  blocks.forEach((block, j) => {
    const dataPart = block.slice(0, block.length - eccLength);
    const expected = reedSolomonRemainder(dataPart, eccLength);
    if (expected.join() !== block.slice(dataPart.length).join())
      throw new Error(`block ${j} fails its Reed-Solomon check`);
    data.push(...dataPart);
  });

  // Segments: mode indicator, character count, payload; a 0000 terminator (or the end) stops.
  const stream = data.flatMap((byte) => Array.from({ length: 8 }, (_, i) => (byte >>> (7 - i)) & 1));
  let pos = 0;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | (stream[pos++] ?? 0);
    return v;
  };
  const band = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  const segments: DecodedQr["segments"] = [];
  while (pos + 4 <= stream.length) {
    const mode = read(4);
    if (mode === 0) break;
    if (mode === 1) {
      let count = read([10, 12, 14][band]!);
      let text = "";
      for (; count >= 3; count -= 3) text += String(read(10)).padStart(3, "0");
      if (count === 2) text += String(read(7)).padStart(2, "0");
      if (count === 1) text += String(read(4));
      segments.push({ mode: "numeric", text });
    } else if (mode === 2) {
      let count = read([9, 11, 13][band]!);
      let text = "";
      for (; count >= 2; count -= 2) {
        const v = read(11);
        text += ALPHANUMERIC[Math.floor(v / 45)]! + ALPHANUMERIC[v % 45]!;
      }
      if (count === 1) text += ALPHANUMERIC[read(6)]!;
      segments.push({ mode: "alphanumeric", text });
    } else if (mode === 4) {
      const count = read([8, 16, 16][band]!);
      const bytes = Uint8Array.from({ length: count }, () => read(8));
      segments.push({ mode: "byte", text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) });
    } else {
      throw new Error(`unsupported segment mode ${mode.toString(2).padStart(4, "0")}`);
    }
  }
  return { version, errorCorrection, mask, segments, text: segments.map((s) => s.text).join("") };
}
