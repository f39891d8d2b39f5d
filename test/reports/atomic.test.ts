import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StagedFile, writeFilesAtomically } from "../../reports/atomic.js";
import { useTempDirs } from "../helpers/cli.js";

const tempDir = useTempDirs("simk-atomic-");

describe("writeFilesAtomically with a StagedFile", () => {
  it("a staged file is written in pieces and appears with the others, under its own name only", () => {
    const dir = tempDir();
    const staged = new StagedFile(dir, "events.jsonl");
    // More than one 1 MiB block, so that it is flushed while staged.
    const line = `${"x".repeat(999)}\n`;
    for (let i = 0; i < 3000; i++) staged.write(line);
    expect(existsSync(join(dir, "events.jsonl"))).toBe(false);
    const written = writeFilesAtomically(dir, [{ name: "a.json", content: "{}\n" }, { name: "events.jsonl", staged }]);
    expect(written).toEqual([join(dir, "a.json"), join(dir, "events.jsonl")]);
    expect(readdirSync(dir).sort()).toEqual(["a.json", "events.jsonl"]);
    expect(readFileSync(join(dir, "events.jsonl"), "utf8")).toBe(line.repeat(3000));
  });

  it("when another file cannot be written, nothing appears and the staged temporary is removed", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "blocker"), "a file where a directory is wanted");
    const staged = new StagedFile(dir, "events.jsonl");
    staged.write("{}\n");
    expect(() => writeFilesAtomically(dir, [{ name: "events.jsonl", staged }, { name: "blocker/report.html", content: "<html>" }])).toThrow(/ENOTDIR|EEXIST/);
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });

  it("discard removes the temporary", () => {
    const dir = tempDir();
    const staged = new StagedFile(dir, "events.jsonl");
    staged.write("{}\n");
    expect(readdirSync(dir)).toHaveLength(1);
    staged.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(() => staged.write("more")).toThrow(/after it was closed/);
  });

  it("a temporary left by a process that is gone is removed; one of a running process is kept", () => {
    const dir = tempDir();
    // A pid that has certainly exited: a child we waited for.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const running = process.ppid;
    writeFileSync(join(dir, `.events.jsonl.tmp-${gone}`), "half");
    writeFileSync(join(dir, `.events.jsonl.tmp-${running}`), "busy");
    // Another output's (a large decisions.jsonl of a run stopped with Ctrl-C) goes too; a file simk does not write stays.
    writeFileSync(join(dir, `.decisions.jsonl.tmp-${gone}`), "half");
    writeFileSync(join(dir, `.notes.txt.tmp-${gone}`), "not ours to judge");
    const staged = new StagedFile(dir, "events.jsonl");
    expect(readdirSync(dir).sort()).toEqual([`.events.jsonl.tmp-${process.pid}`, `.events.jsonl.tmp-${running}`, `.notes.txt.tmp-${gone}`].sort());
    staged.discard();
  });

  it("the process's exit removes a temporary never committed", () => {
    const dir = tempDir();
    const url = new URL("../../reports/atomic.ts", import.meta.url).pathname;
    const script = `import { StagedFile } from ${JSON.stringify(url)}; const s = new StagedFile(${JSON.stringify(dir)}, "events.jsonl"); s.write("x\\n"); process.exitCode = 3;`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });
});
