// A command's reader may go before its output ends: `npm run import -- --json f | head` closes the pipe, and
// the next write fails with EPIPE, which Node raises as an unhandled error: a stack trace and exit status 1
// after an import that had committed. The output no one reads is dropped instead; the command's work and its
// exit status stand. (Writes to a file fail as they are made, and are thrown where they are; what reaches
// these listeners is a pipe's or a terminal's reader gone.)
export function dropOutputWhenReaderGoes(...streams: NodeJS.WritableStream[]): void {
  for (const stream of streams) stream.on('error', () => {});
}
