/**
 * Image panels: one row per image series (`samples`, `forward`, `reverse`, …), one cell per run, every cell at the
 * shared cursor — each shows its frame at the nearest logged step at or before the cursor (see cursor.ts). With
 * exactly two runs, each row also gets an A/B swipe.
 */
import type { ImageFrame } from '../../../src/protocol/panels';
import { h, setChildren } from '../shared/dom';
import { describeBytes, isPng } from './bytes';
import { themeColors } from './colors';
import { frameAt, seriesNames, seriesSteps } from './cursor';
import { decodeFrame, drawPixelated } from './imageCanvas';
import type { RunModel } from './model';
import { SwipeView } from './swipe';

interface Cell {
  readonly runIndex: number;
  readonly canvas: HTMLCanvasElement;
  readonly placeholder: HTMLElement;
  readonly caption: HTMLElement;
  shown?: ImageFrame;
}

export class ImagePanels {
  readonly el = h('section', { class: 'images', 'aria-label': 'Images' });
  private signature = '';
  private rows = new Map<string, { cells: Cell[]; swipe?: SwipeView }>();

  constructor(
    private readonly model: RunModel,
    private readonly getSplit: () => number,
    private readonly setSplit: (s: number) => void,
  ) {}

  /** Every image step of every run (for the shared cursor). */
  steps(): number[] {
    return seriesSteps(this.model.runs, (r) => r.images);
  }

  render(cursor: number | undefined): void {
    const names = seriesNames(this.model.runs, (r) => r.images);
    const signature = JSON.stringify([names, this.model.runs.map((r) => r.runId)]);
    if (signature !== this.signature) this.rebuild(names, signature);
    for (const [name, row] of this.rows) {
      const frames = this.model.runs.map((r) => frameAt(r.images.get(name), cursor));
      for (const cell of row.cells)
        this.showCell(cell, this.model.runs[cell.runIndex].images.get(name), frames[cell.runIndex], cursor);
      void row.swipe?.show(frames[0], frames[1]);
    }
  }

  private rebuild(names: readonly string[], signature: string): void {
    this.signature = signature;
    this.rows.clear();
    const runs = this.model.runs;
    this.el.classList.toggle('compare', runs.length > 1);
    const divider = themeColors().divider;
    setChildren(
      this.el,
      ...names.map((name) => {
        const cells: Cell[] = runs.map((run, runIndex) => ({
          runIndex,
          canvas: h('canvas', { class: 'frame', 'aria-label': `${name}, ${run.label}` }),
          placeholder: h('div', { class: 'placeholder' }),
          caption: h('figcaption'),
        }));
        const swipe =
          runs.length === 2
            ? new SwipeView(name, [runs[0].label, runs[1].label], this.getSplit(), this.setSplit, divider)
            : undefined;
        this.rows.set(name, { cells, swipe });
        return h(
          'div',
          { class: 'image-series', 'data-series': name },
          h('h3', { text: name }),
          h(
            'div',
            { class: 'image-row' },
            ...cells.map((c) =>
              h(
                'figure',
                { class: 'image-cell', 'data-run': runs[c.runIndex].runId },
                c.canvas,
                c.placeholder,
                c.caption,
              ),
            ),
            swipe?.el,
          ),
        );
      }),
    );
  }

  private showCell(
    cell: Cell,
    frames: readonly ImageFrame[] | undefined,
    frame: ImageFrame | undefined,
    cursor: number | undefined,
  ): void {
    const label = this.model.runs[cell.runIndex].label;
    if (!frame) {
      cell.shown = undefined;
      const why =
        !frames || frames.length === 0
          ? 'Not logged in this run'
          : `No image yet at step ${cursor} (first at step ${frames[0].step})`;
      this.placeholder(cell, why, label);
      return;
    }
    cell.caption.textContent = `${this.model.compare ? `${label} · ` : ''}step ${frame.step} · ${frame.width}×${frame.height}`;
    if (cell.shown === frame) return;
    cell.shown = frame;
    if (!isPng(frame.png)) {
      this.placeholder(
        cell,
        `The image of step ${frame.step} is not a PNG (${describeBytes(frame.png)}); the file in the run folder may be damaged.`,
        label,
      );
      return;
    }
    decodeFrame(frame).then(
      (bitmap) => {
        if (cell.shown !== frame) return; // the cursor moved on while this decoded
        drawPixelated(cell.canvas, bitmap);
        cell.canvas.hidden = false;
        cell.placeholder.hidden = true;
      },
      (err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        if (cell.shown === frame)
          this.placeholder(
            cell,
            `The image of step ${frame.step} could not be decoded (${why}); the PNG in the run folder may be damaged.`,
            label,
          );
      },
    );
  }

  private placeholder(cell: Cell, text: string, label: string): void {
    cell.canvas.hidden = true;
    cell.placeholder.hidden = false;
    cell.placeholder.textContent = text;
    cell.caption.textContent = this.model.compare ? label : '';
  }
}
