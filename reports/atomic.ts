/**
 * Writes output files so that a failure never leaves half of one: every file is first written to a
 * temporary name in the same directory, and only when all are complete are they renamed into
 * place (rename is atomic within a file system). On any error the temporaries are removed.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, basename } from "node:path";

export interface OutputFile {
  /** Path relative to the output directory. */
  name: string;
  content: string | Buffer;
}

export function writeFilesAtomically(dir: string, files: readonly OutputFile[]): string[] {
  mkdirSync(dir, { recursive: true });
  const staged: { tmp: string; final: string }[] = [];
  try {
    for (const f of files) {
      const final = join(dir, f.name);
      mkdirSync(dirname(final), { recursive: true });
      const tmp = join(dirname(final), `.${basename(final)}.tmp-${process.pid}`);
      writeFileSync(tmp, f.content);
      staged.push({ tmp, final });
    }
    for (const s of staged) renameSync(s.tmp, s.final);
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw err;
  }
  return staged.map((s) => s.final);
}
