/**
 * On the webgpu backend in Node, a synchronous read (`t.dataSync()`, `t.arraySync()`, `t.bufferSync()`) cannot
 * work: tfjs-backend-webgpu reads synchronously through an OffscreenCanvas, which Node does not have, and fails
 * with "ReferenceError: OffscreenCanvas is not defined". This turns that into a message that says what to write
 * instead, thrown from the same call, so the stack still points at the learner's line.
 */

/** A synchronous tensor read on a backend that only reads asynchronously. */
export class SyncReadError extends Error {
  readonly tfjsMessage: string;
  constructor(
    readonly method: string,
    readonly backend: string,
    cause: unknown,
  ) {
    const tfjsMessage =
      cause instanceof SyncReadError ? cause.tfjsMessage : cause instanceof Error ? cause.message : String(cause);
    super(
      `t.${method}() cannot read a tensor on the ${backend} backend in Node: the GPU computes in the background and ` +
        `its results can only be read asynchronously here. Write \`${ASYNC_FORM[method] ?? 'await t.data()'}\` instead, and ` +
        'make the enclosing function async (and await it). The same code then runs on every backend, wasm and cpu included. ' +
        `(tfjs said: ${tfjsMessage})`,
    );
    this.tfjsMessage = tfjsMessage;
    this.name = 'SyncReadError';
  }
}

const ASYNC_FORM: Record<string, string> = {
  dataSync: 'await t.data()',
  arraySync: 'await t.array()',
  bufferSync: 'await t.buffer()',
};

const GUARDED = Symbol.for('multimodal-lab.syncReadsGuarded');

/** True for the error tfjs-backend-webgpu throws for a synchronous read in Node. */
export function isNodeSyncReadFailure(err: unknown): boolean {
  return err instanceof Error && /OffscreenCanvas is not defined/.test(err.message);
}

interface TensorProto {
  dataSync(): unknown;
  arraySync(): unknown;
  bufferSync(): unknown;
  [GUARDED]?: boolean;
}

/** Wraps the synchronous reads of `tf.Tensor` so their Node-only failure on a GPU backend teaches. Idempotent. */
export function guardSyncReads(tf: { Tensor: { prototype: unknown }; getBackend(): string }): void {
  const proto = tf.Tensor.prototype as TensorProto;
  if (proto[GUARDED]) return;
  for (const method of ['dataSync', 'arraySync', 'bufferSync'] as const) {
    const original = proto[method];
    proto[method] = function guardedRead(this: TensorProto): unknown {
      try {
        return original.call(this);
      } catch (err) {
        // arraySync and bufferSync read through dataSync: name the call the learner wrote.
        if (err instanceof SyncReadError && err.method !== method) throw new SyncReadError(method, err.backend, err);
        if (isNodeSyncReadFailure(err)) throw new SyncReadError(method, tf.getBackend(), err);
        throw err;
      }
    };
  }
  proto[GUARDED] = true;
}
