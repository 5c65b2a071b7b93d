/** --type globs: `*` any run of characters (dots included), `?` one character; several globs: any may match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function typeMatcher(globs: readonly string[]): (type: string) => boolean {
  const res = globs.map(globToRegExp);
  return (type) => res.some((re) => re.test(type));
}
