// Test helpers: a reference schedule computed here in float64, so the tests of later TODOs never call your
// earlier ones (each test fails only for the TODO it is about).
import type { Schedule } from '../schedule';

export function referenceSchedule(T: number, betaStart: number, betaEnd: number): Schedule {
  const betas = new Float32Array(T),
    alphas = new Float32Array(T),
    alphaBars = new Float32Array(T);
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const beta = betaStart + ((betaEnd - betaStart) * t) / (T - 1);
    prod *= 1 - beta;
    betas[t] = beta;
    alphas[t] = 1 - beta;
    alphaBars[t] = prod;
  }
  return { T, betas, alphas, alphaBars };
}
