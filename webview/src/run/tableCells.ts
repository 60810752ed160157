/**
 * The <td>s of a logged table (tableView.ts): numbers right-aligned and formatted, empty cells as an en dash, images
 * as small pixelated canvases, sounds as compact players from blob: URLs, and the word diff of two text columns.
 */
import type { TableCell } from '../../../src/protocol/panels';
import { h } from '../shared/dom';
import { formatValue } from './format';
import { integerScale } from './imageCanvas';
import type { DiffOp, WerCounts } from './textDiff';

/** Thumbnails are scaled by an integer factor up to this many CSS pixels on their longer side. */
const THUMB_SIZE = 48;

const bitmaps = new WeakMap<Uint8Array, Promise<ImageBitmap>>();

/** The blob: URLs of one table's sound cells, made once per cell and revoked together when another entry shows. */
export class MediaUrls {
  private readonly urls = new Map<Uint8Array, string>();

  audio(bytes: Uint8Array): string {
    let url = this.urls.get(bytes);
    if (!url) {
      url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'audio/wav' }));
      this.urls.set(bytes, url);
    }
    return url;
  }

  revokeAll(): void {
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }
}

/** One table cell; `where` names it for screen readers (e.g. "row 3, audio"). */
export function tableCell(cell: TableCell, where: string, media: MediaUrls): HTMLTableCellElement {
  if (cell === null || cell === '') return h('td', { class: 'empty', text: '–', title: 'empty' });
  if (typeof cell === 'number') return h('td', { class: 'num', text: formatValue(cell), title: String(cell) });
  if (typeof cell === 'string') return h('td', { text: cell });
  if ('image' in cell) return h('td', { class: 'media' }, thumbnail(cell.image, cell.width, cell.height, where));
  const audio = h('audio', {
    controls: '',
    preload: 'none',
    class: 'compact',
    src: media.audio(cell.audio),
    'aria-label': `Play ${where} (${(cell.samples / cell.sampleRate).toFixed(2)} s)`,
  });
  return h('td', { class: 'media' }, audio);
}

function thumbnail(png: Uint8Array, width: number, height: number, where: string): HTMLCanvasElement {
  const s = integerScale(width, height, THUMB_SIZE);
  const canvas = h('canvas', {
    class: 'thumb',
    role: 'img',
    width: String(width * s),
    height: String(height * s),
    'aria-label': `Image ${where}, ${width}×${height}`,
  });
  let p = bitmaps.get(png);
  if (!p) {
    p = createImageBitmap(new Blob([new Uint8Array(png)], { type: 'image/png' }));
    bitmaps.set(png, p);
  }
  p.then(
    (bitmap) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    },
    (err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      canvas.replaceWith(h('span', { class: 'cell-error', text: `image not decoded (${why})` }));
    },
  );
  return canvas;
}

/** The alignment as words: equal plain, a substitution as <del>ref</del><ins>hyp</ins>, deletions and insertions. */
export function diffCell(ops: readonly DiffOp[]): HTMLTableCellElement {
  const td = h('td', { class: 'diff' });
  ops.forEach((o, i) => {
    if (i > 0) td.append(' ');
    if (o.op === 'equal') td.append(o.ref);
    else if (o.op === 'substitute')
      td.append(
        h('del', { class: 'diff-sub', text: o.ref }),
        h('ins', { class: 'diff-sub', text: o.hyp, title: `${o.ref} → ${o.hyp}` }),
      );
    else if (o.op === 'delete') td.append(h('del', { class: 'diff-del', text: o.ref }));
    else td.append(h('ins', { class: 'diff-ins', text: o.hyp }));
  });
  return td;
}

/** "1 / 0 / 2": S / D / I of one row. */
export function countsCell(c: WerCounts): HTMLTableCellElement {
  return h('td', {
    class: 'num wer-counts',
    text: `${c.substitutions} / ${c.deletions} / ${c.insertions}`,
    title: `${c.substitutions} substituted, ${c.deletions} deleted, ${c.insertions} inserted of ${c.refWords} words`,
  });
}
