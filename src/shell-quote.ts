/** Quote a value for a POSIX shell when it needs it (examples in --help, the "try:" line of `evtail mock`). */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
