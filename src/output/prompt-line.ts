/**
 * An interactive chat line at a terminal (`push --stdin`, `ws --stdin`): a readline prompt at the bottom that keeps
 * what is being typed intact; every line evtail writes meanwhile (events on stdout, status on stderr) is printed
 * above it, and the prompt with the typed text is drawn again below. Used only when stdin and stderr are terminals;
 * in a pipe, lines are read plainly.
 */
import readline from 'node:readline';
import type { Readable } from 'node:stream';

export interface PromptLine {
  close(): void;
}

type Write = NodeJS.WriteStream['write'];

export function promptLine(opts: { input: Readable; output: NodeJS.WriteStream; also: NodeJS.WriteStream[]; prompt: string; onLine: (line: string) => void; onClose: () => void }): PromptLine {
  const { output } = opts;
  const rl = readline.createInterface({ input: opts.input, output, terminal: true, prompt: opts.prompt, historySize: 100 });
  const streams = [...new Set([output, ...opts.also])];
  const originals = new Map<NodeJS.WriteStream, Write>();
  let drawing = false;
  let closed = false;
  // Our own drawing goes straight through; anything else first clears the prompt line, then draws it again.
  for (const s of streams) {
    const orig = s.write.bind(s) as Write;
    originals.set(s, s.write);
    s.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (drawing || closed) return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
      drawing = true;
      try {
        readline.cursorTo(output, 0);
        readline.clearLine(output, 0);
        const ok = (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
        rl.prompt(true);
        return ok;
      } finally {
        drawing = false;
      }
    }) as Write;
  }
  const restore = () => {
    if (closed) return;
    closed = true;
    for (const [s, w] of originals) s.write = w;
  };
  rl.on('line', (line) => {
    if (line.trim() !== '') opts.onLine(line);
    drawing = true;
    rl.prompt();
    drawing = false;
  });
  rl.on('close', () => {
    restore();
    opts.onClose();
  });
  // Ctrl-C at the prompt: readline takes the terminal out of signal mode, so pass it on as the signal it means.
  rl.on('SIGINT', () => process.kill(process.pid, 'SIGINT'));
  drawing = true;
  rl.prompt();
  drawing = false;
  return {
    close: () => {
      if (!closed) {
        readline.cursorTo(output, 0);
        readline.clearLine(output, 0);
      }
      restore();
      rl.close();
    },
  };
}
