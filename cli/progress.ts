import type { Output } from './io';

/** Lines that stay, plus (for a person at a terminal) one status line that a spinner keeps alive. */
export interface Progress {
  /** A line that stays on screen. */
  line(text: string): void;
  /** What the spinner line says; called again on every frame so elapsed times tick. */
  status(render: () => string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 100;
const CLEAR_LINE = '\r\u001b[2K';

/** A spinner on a TTY; elsewhere (a pipe, a CI log) only the lines, so logs hold no control codes. */
export function createProgress(output: Output, animate: boolean): Progress {
  if (!animate) return { line: (text) => output.write(`${text}\n`), status: () => {}, stop: () => {} };

  let render: (() => string) | undefined;
  let frame = 0;
  const draw = () => {
    if (render) output.write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length]} ${render()}`);
  };
  const timer = setInterval(() => {
    frame += 1;
    draw();
  }, FRAME_MS);
  // The spinner must never keep the process alive on its own.
  timer.unref();
  return {
    line(text) {
      output.write(`${CLEAR_LINE}${text}\n`);
      draw();
    },
    status(next) {
      render = next;
      draw();
    },
    stop() {
      clearInterval(timer);
      if (render) output.write(CLEAR_LINE);
      render = undefined;
    },
  };
}
