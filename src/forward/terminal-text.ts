/**
 * Placeholder for the shared terminal sanitiser (issue 13, src/output/sanitize.ts): control, C1 and bidi characters
 * from the network (a type, an id, a handler's answer) are shown escaped, never sent raw to a terminal.
 */
export function terminalSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
