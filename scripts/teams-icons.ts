/**
 * Draws the Teams app icons: `color.png` (192×192, a white shield with a tick on the accent colour) and
 * `outline.png` (32×32, the same shield in white on a transparent background), as Teams requires.
 * Run with `npx tsx scripts/teams-icons.ts`; the PNGs are committed under manifests/teams/.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

type Rgba = [number, number, number, number];

/** Inside a shield: flat top, straight sides, tapering to a point (coordinates 0..1). */
function inShield(x: number, y: number): boolean {
  if (y < 0.08 || y > 0.94) return false;
  const half = y < 0.55 ? 0.36 : 0.36 * (1 - (y - 0.55) / 0.39);
  return Math.abs(x - 0.5) <= half;
}

/** Inside the tick: two thick strokes. */
function inTick(x: number, y: number): boolean {
  const near = (ax: number, ay: number, bx: number, by: number, w: number) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) <= w;
  };
  return near(0.34, 0.5, 0.46, 0.63, 0.045) || near(0.46, 0.63, 0.68, 0.36, 0.045);
}

function draw(size: number, pixel: (x: number, y: number) => Rgba): PNG {
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // 4×4 supersampling for smooth edges
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const c = pixel((px + (sx + 0.5) / 4) / size, (py + (sy + 0.5) / 4) / size);
          for (let i = 0; i < 4; i++) acc[i] = (acc[i] as number) + c[i]!;
        }
      const o = (py * size + px) * 4;
      for (let i = 0; i < 4; i++) png.data[o + i] = Math.round((acc[i] as number) / 16);
    }
  }
  return png;
}

const ACCENT: Rgba = [31, 78, 121, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [255, 255, 255, 0];

const color = draw(192, (x, y) => (inShield(x, y) ? (inTick(x, y) ? ACCENT : WHITE) : ACCENT));
const outline = draw(32, (x, y) => (inShield(x, y) && !inTick(x, y) ? WHITE : CLEAR));
writeFileSync('manifests/teams/color.png', PNG.sync.write(color));
writeFileSync('manifests/teams/outline.png', PNG.sync.write(outline));
