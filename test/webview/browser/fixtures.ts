/**
 * Fixture runs for the browser tests: PNGs encoded here (solid colours, so a drawn pixel says which frame is
 * shown) and run snapshots in the panel protocol's shape.
 */
import { deflateSync } from 'node:zlib';
import type { ImageFrame, RunSnapshot, ScalarPoint } from '../../../src/protocol/panels';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A solid-colour RGB PNG. */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number]): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(rgb, y * (width * 3 + 1) + 1 + x * 3);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return new Uint8Array(png);
}

export const RED = [255, 0, 0] as const;
export const GREEN = [0, 255, 0] as const;
export const BLUE = [0, 0, 255] as const;
export const YELLOW = [255, 255, 0] as const;
export const CYAN = [0, 255, 255] as const;
export const MAGENTA = [255, 0, 255] as const;

export function frame(name: string, step: number, rgb: readonly [number, number, number], size = 8): ImageFrame {
  return { name, step, width: size, height: size, png: solidPng(size, size, rgb) };
}

export function curve(
  n: number,
  f: (i: number) => number | null = (i) => 2 * Math.exp(-i / 200) + 0.05 * Math.sin(i),
): ScalarPoint[] {
  return Array.from({ length: n }, (_, i) => ({ step: i, value: f(i), time: i }));
}

export function run(runId: string, extra: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    runId,
    exerciseId: 'ddpm',
    label: `run ${runId}`,
    meta: {
      version: 1,
      exerciseId: 'ddpm',
      runId,
      config: 'small',
      backend: 'wasm',
      backendWhy: '@tensorflow/tfjs-node not installed',
      startedAt: '2026-01-01T00:00:00Z',
      status: 'running',
    },
    scalars: { loss: curve(500), 'acc/seen': curve(500, (i) => i / 500), 'runner/stepMs': curve(500, () => 12) },
    images: [],
    text: [],
    notices: [],
    live: {
      status: 'running',
      step: 499,
      stepsPerSec: 41.5,
      elapsedMs: 12_000,
      etaMs: 60_000,
      numTensors: 120,
      numBytes: 3_000_000,
    },
    ...extra,
  };
}

export function load(...runs: RunSnapshot[]): { type: 'load'; protocol: 1; runs: RunSnapshot[] } {
  return { type: 'load', protocol: 1, runs };
}
