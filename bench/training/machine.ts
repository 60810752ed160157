// What the machine can do at best, for the GFLOP/s columns: the CPU model and flags, the clock, and two
// single-core FP32 peaks derived from them:
//  - native AVX2 + FMA: 2 FMA pipes × 8 lanes × 2 FLOP = 32 FLOP/cycle (what PyTorch's oneDNN convs can use);
//  - WASM SIMD: 128-bit vectors and no FMA (relaxed-SIMD is not in tfjs 4.22's build), so a multiply and an
//    add per 4 lanes; with 2 multiply and 2 add pipes that is at most 16 FLOP/cycle, half the AVX2 peak.
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  mhz: number;
  flags: string[];
  peakAvx2GflopsPerCore: number;
  peakWasmSimdGflopsPerCore: number;
  note: string;
}

/** Reads /proc/cpuinfo (Linux) and derives the peaks; the clock is the reported one, not a turbo guess. */
export function describeMachine(): Machine {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1] ?? '';
  const flags = field('flags')
    .split(' ')
    .filter((f) => ['avx2', 'fma', 'avx512f'].includes(f));
  const mhz = Number(field('cpu MHz')) || os.cpus()[0]?.speed || 0;
  const ghz = mhz / 1000;
  return {
    cpu: field('model name'),
    cores: os.cpus().length,
    mhz,
    flags,
    peakAvx2GflopsPerCore: 32 * ghz,
    peakWasmSimdGflopsPerCore: 16 * ghz,
    note: "Peaks at the reported clock; a turbo clock raises both. AVX-512 (if flagged) would double the native peak, but Debian's torch 1.13 reports AVX2 capability.",
  };
}
