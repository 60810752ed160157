/**
 * Reading and checking the numbers a `lab` call is given (insights.ts): a tf.Tensor, read with `await t.data()`
 * (never `dataSync`: a GPU backend in Node cannot read synchronously), or plain numbers, a flat (typed) array for a
 * list and an array of rows for a matrix. Every check throws with what is wrong and what to do, naming the call.
 */
import type * as tf from '@tensorflow/tfjs';

/** Numbers as a tensor, a flat (typed) array, or nested arrays (rows). */
export type Values = tf.Tensor | ArrayLike<number> | readonly Values[];

/** True for a tf.Tensor (told by its shape and async `data`, so no tfjs import is needed). */
export function isTensor(v: unknown): v is tf.Tensor {
  return typeof (v as tf.Tensor)?.data === 'function' && Array.isArray((v as tf.Tensor).shape);
}

function isList(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** The shape and the values (row-major) of a tensor or of (nested) arrays; throws for ragged or non-number arrays. */
export async function readValues(what: string, input: Values): Promise<{ shape: number[]; values: ArrayLike<number> }> {
  if (isTensor(input)) return { shape: [...input.shape], values: await input.data() };
  const shape: number[] = [];
  for (let level: unknown = input; isList(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  if (shape.length === 0)
    throw new TypeError(`${what}: expected a tensor or an array of numbers, got ${typeof input}.`);
  const values: number[] = [];
  const walk = (v: unknown, depth: number, at: string): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number')
        throw new TypeError(`${what}: the value at ${at || '[]'} is ${typeof v}, not a number.`);
      values.push(v);
      return;
    }
    if (!isList(v) || v.length !== shape[depth])
      throw new TypeError(
        `${what}: the arrays are ragged: ${at || 'the top level'} has ${isList(v) ? v.length : 'no'} items where ` +
          `[${shape.join(', ')}] needs ${shape[depth]}. Every row must have the same length.`,
      );
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${at}[${i}]`);
  };
  walk(input, 0, '');
  return { shape, values };
}

/** Throws, counting them, when any value is NaN or ±Infinity. */
export function checkFinite(what: string, values: ArrayLike<number>): void {
  let bad = 0,
    first = -1;
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) {
      if (bad++ === 0) first = i;
    }
  if (bad > 0)
    throw new RangeError(
      `${what}: ${bad} of ${values.length} values are NaN or infinite (the first at flat index ${first}, ` +
        `${values[first]}). Find where they come from (a division by zero, log(0), a diverged step) before logging.`,
    );
}

/** Throws when a record would hold `n` values, more than `cap`, with the `advice` on what to log instead. */
export function checkCount(what: string, n: number, cap: number, shape: string, advice: string): void {
  if (n > cap)
    throw new RangeError(
      `${what}: ${shape} = ${n.toLocaleString('en')} values is more than the ` +
        `${cap.toLocaleString('en')} one record may hold. ${advice}`,
    );
}

/** Labels as strings, checked to be one per item. */
export function labelsFor(
  what: string,
  field: string,
  labels: readonly unknown[] | undefined,
  n: number,
  items: string,
) {
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || labels.length !== n)
    throw new RangeError(
      `${what}: ${field} has ${Array.isArray(labels) ? labels.length : 'no'} entries, but there are ${n} ${items}: ` +
        `give one per ${items.replace(/s$/, '')}.`,
    );
  return labels.map(String);
}

/** A float to 7 significant digits (a float32's precision); whole numbers unchanged. */
export function compact(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(7));
}
/** Every value `compact`ed, as a plain array for JSON. */
export const compactAll = (values: ArrayLike<number>): number[] => Array.from(values, compact);

/** `[2, 3]`: a shape as an error message shows it. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
