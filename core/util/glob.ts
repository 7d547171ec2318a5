/** Path globs for settings such as "exclude notebooks": `**` spans folders, `*` and `?` stay within one. */

function toRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Whether `path` (relative, "/"-separated) matches any of `globs`; a glob without "/" matches the file name. */
export function matchesAnyGlob(path: string, globs: readonly string[]): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return globs.some((glob) => toRegExp(glob).test(glob.includes('/') ? path : name));
}
