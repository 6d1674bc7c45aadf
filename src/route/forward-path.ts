// Which .forward files a user has (aliases-forward.md §5.2): ForwardPath expanded per candidate with
// $z (home), $u (user), $w (short host name) and $h (the +detail of the address). A candidate that
// needs $h is skipped when the address has no detail.

export interface ForwardVars {
  home: string;
  user: string;
  w: string;
  /** The +detail, without the `+`. */
  detail?: string;
}

export function forwardCandidates(forwardPath: readonly string[], v: ForwardVars): string[] {
  // An empty home directory means no .forward at all (mail goes to the mailbox).
  if (v.home === '') return [];
  const out: string[] = [];
  for (const template of forwardPath) {
    if (template === '') continue;
    if (template.includes('$h') && (v.detail === undefined || v.detail === '')) continue;
    const path = template.replace(/\$([zuwh])/g, (_m, c: string) =>
      c === 'z' ? v.home : c === 'u' ? v.user : c === 'w' ? v.w : (v.detail ?? ''),
    );
    // A relative result (an unset $z) could name any file in the reader's working directory.
    if (path.startsWith('/')) out.push(path);
  }
  return out;
}
