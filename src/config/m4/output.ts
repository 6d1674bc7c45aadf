// Collects the text m4 would write (diversions >= 0) with its origin, and regroups it into lines for
// hosts that parse the output (the cf lines after MAILER_DEFINITIONS / LOCAL_CONFIG).

import type { OutputChunk, SourceLoc } from './engine.js';

export class OutputCollector {
  readonly chunks: OutputChunk[] = [];
  /** Characters kept so far, for the output bound. */
  size = 0;
  private lastOpen = false;

  /** Append text written to `divert`; `fromFile` text advances its line at each newline. */
  append(text: string, loc: SourceLoc, divert: number, fromFile: boolean): void {
    if (divert < 0 || text.length === 0) return;
    this.size += text.length;
    let line = loc.line;
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? text.length : nl + 1;
      this.appendPiece(text.slice(start, end), loc.file, line, divert);
      start = end;
      if (fromFile && nl !== -1) line++;
    }
  }

  mark(tag: string, loc: SourceLoc, divert: number): void {
    this.chunks.push({ text: '', loc: { file: loc.file, line: loc.line }, divert, marker: tag });
    this.lastOpen = false;
  }

  private appendPiece(piece: string, file: string, line: number, divert: number): void {
    const last = this.chunks[this.chunks.length - 1];
    // lastOpen stands for "last has no marker and does not end with a newline"; asking the string
    // itself would flatten it at every append.
    if (this.lastOpen && last !== undefined && last.divert === divert && last.loc.file === file && last.loc.line === line) {
      last.text += piece;
    } else {
      this.chunks.push({ text: piece, loc: { file, line }, divert });
    }
    this.lastOpen = !piece.endsWith('\n');
  }
}

export type OutputItem =
  | { kind: 'line'; text: string; loc: SourceLoc; divert: number }
  | { kind: 'marker'; tag: string; loc: SourceLoc; divert: number };

/** Regroup output chunks into lines (without their newline) and markers, in production order. A line
 *  ends at a newline, at a marker, or where the diversion changes; it carries the location of its first
 *  chunk. */
export function outputItems(chunks: readonly OutputChunk[]): OutputItem[] {
  const items: OutputItem[] = [];
  let text = '';
  let loc: SourceLoc | undefined;
  let divert = 0;
  const flush = (): void => {
    if (loc !== undefined) items.push({ kind: 'line', text, loc, divert });
    text = '';
    loc = undefined;
  };
  for (const c of chunks) {
    if (c.marker !== undefined) {
      flush();
      items.push({ kind: 'marker', tag: c.marker, loc: c.loc, divert: c.divert });
      continue;
    }
    if (loc !== undefined && c.divert !== divert) flush();
    if (loc === undefined) {
      loc = c.loc;
      divert = c.divert;
    }
    if (c.text.endsWith('\n')) {
      text += c.text.slice(0, -1);
      flush();
    } else {
      text += c.text;
    }
  }
  flush();
  return items;
}
