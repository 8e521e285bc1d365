import type { DefaultRenderer } from 'listr2';

/** The live listing redraws at most this often. */
export const RENDER_INTERVAL_MS = 100;

/** Lets the listing thread apply a batch of rows and draw them in one frame. */
export interface RenderGate {
  /** While true, redraw requests are only remembered. */
  isHeld: boolean;
  /** Set by the renderer once it can draw. */
  renderer: { update(): void } | null;
}

/**
 * A listr2 `DefaultRenderer` that coalesces redraws: listr2 redraws on every title, output and
 * state change, which for a map of 100,000 items would be the screen pacing the run. Here the
 * first change draws at once and later ones within `intervalMs` fold into one trailing redraw.
 * It also draws when stdout is not a TTY (`nonTTY`), since `--output live` is then an explicit
 * choice.
 */
export function createThrottledRenderer(
  Base: typeof DefaultRenderer,
  gate: RenderGate,
  intervalMs = RENDER_INTERVAL_MS,
): typeof DefaultRenderer {
  return class ThrottledRenderer extends Base {
    static override nonTTY = true;
    #lastDrawMs = 0;
    #timer: NodeJS.Timeout | undefined;

    override async render(): Promise<void> {
      await super.render();
      // Only now can it draw: listr2 creates its terminal writer in render().
      gate.renderer = this;
    }

    override update(): void {
      if (gate.isHeld) return;
      const waitMs = this.#lastDrawMs + intervalMs - Date.now();
      if (waitMs <= 0) {
        this.#cancelTimer();
        this.#lastDrawMs = Date.now();
        super.update();
      } else if (this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.update();
        }, waitMs);
      }
    }

    override end(): void {
      this.#cancelTimer();
      gate.renderer = null;
      super.end();
    }

    #cancelTimer(): void {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  };
}
