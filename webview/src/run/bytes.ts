/**
 * PNG bytes from whatever a message carried. The host posts a Uint8Array, but a Node Buffer posted by mistake arrives
 * as `{type: 'Buffer', data: [...]}` (its toJSON runs before VS Code transfers typed arrays), and structured clones
 * may give an ArrayBuffer or a plain array: all become a Uint8Array, anything else undefined.
 */
export function toBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const data = Array.isArray(v)
    ? v
    : (v as { type?: unknown; data?: unknown } | null)?.type === 'Buffer'
      ? (v as { data: unknown }).data
      : undefined;
  if (Array.isArray(data) && data.every((b) => Number.isInteger(b) && b >= 0 && b < 256))
    return Uint8Array.from(data as number[]);
  return undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the 8-byte PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** "3 bytes starting 01 02 03": what a learner (or a bug report) can use to tell what the file is. */
export function describeBytes(bytes: Uint8Array): string {
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length === 0 ? 'no bytes' : `${bytes.length} bytes starting ${head}`;
}
