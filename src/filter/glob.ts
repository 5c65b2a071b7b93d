/**
 * --type globs: `*` any run of characters (dots included), `?` one character; several globs: any may match.
 *
 * Matched without a regular expression, in time linear in the type's length: a glob is its literal pieces between
 * stars; the first must start the type, the last must end it, and each one between is taken at its leftmost place
 * after the one before (leftmost is always right for `*`). A regex (`^.*\.post\..*$`) backtracks instead, and a
 * server sending a 400 KB type blocked the event loop for seconds.
 */

/** One piece between stars: its text, where `?` stands for any one character. */
type Piece = string;

interface Glob {
  /** The glob had no star: the whole type must match the one piece. */
  exact: boolean;
  pieces: Piece[];
}

function compile(glob: string): Glob {
  const pieces = glob.split(/\*+/);
  return { exact: pieces.length === 1, pieces };
}

/** Does `piece` match `text` at `at` (`?` matches any character)? */
function matchesAt(text: string, at: number, piece: Piece): boolean {
  if (at + piece.length > text.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i);
    if (p !== 63 /* ? */ && p !== text.charCodeAt(at + i)) return false;
  }
  return true;
}

/** Leftmost place at or after `from` where `piece` matches, or -1. */
function find(text: string, piece: Piece, from: number): number {
  if (!piece.includes('?')) return text.indexOf(piece, from);
  // With `?`: the piece is as long as the user typed it, so this is linear in the text for a given glob.
  for (let at = from; at + piece.length <= text.length; at++) if (matchesAt(text, at, piece)) return at;
  return -1;
}

export function matchGlob(g: Glob, text: string): boolean {
  const { pieces } = g;
  const first = pieces[0]!;
  if (g.exact) return text.length === first.length && matchesAt(text, 0, first);
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length) return false;
  if (!matchesAt(text, 0, first)) return false;
  const end = text.length - last.length;
  if (!matchesAt(text, end, last)) return false;
  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece.length === 0) continue;
    const found = find(text, piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

export function typeMatcher(globs: readonly string[]): (type: string) => boolean {
  const compiled = globs.map(compile);
  return (type) => compiled.some((g) => matchGlob(g, type));
}
