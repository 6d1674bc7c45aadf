// Standard input, read to its end: at most `keep` octets are kept, the rest only counted.

export async function readAll(stream: NodeJS.ReadableStream, keep: number): Promise<{ data: Buffer; total: number }> {
  const parts: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    total += b.length;
    if (kept < keep) {
      const take = b.subarray(0, Math.min(b.length, keep - kept));
      parts.push(take);
      kept += take.length;
    }
  }
  return { data: Buffer.concat(parts), total };
}
