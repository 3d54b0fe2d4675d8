/**
 * `deno task notebooks`: executes every `notebooks/NN_*.ipynb` in order with Debian's
 * `jupyter nbconvert` and the Deno kernel, saving the outputs into the notebooks (or into
 * `--out DIR`), and fails as soon as a cell errors or a chart would not show in nbconvert's HTML.
 * Installs the Deno kernelspec if missing.
 * @module
 */

import { basename, join } from "node:path";
import { type FlagSpec, parseFlags, runMain } from "./_cli.ts";

const FLAGS: FlagSpec = {
  only: {
    type: "string",
    placeholder: "TEXT",
    help: "run only notebooks whose name contains this, e.g. 04",
  },
  out: {
    type: "string",
    placeholder: "DIR",
    help: "write executed copies here instead of updating in place",
  },
  timeout: { type: "string", default: "600", help: "seconds a single cell may take" },
};

const NOTEBOOKS_DIR = new URL("../notebooks/", import.meta.url).pathname;
const INSTALL_HINT = "install it with: apt-get install -y jupyter-nbconvert jupyter-client";

/** Runs a command, returning its exit status and captured output. */
async function run(
  cmd: string,
  args: string[],
): Promise<{ ok: boolean; stdout: string; output: string }> {
  try {
    const result = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const stdout = new TextDecoder().decode(result.stdout);
    return { ok: result.success, stdout, output: stdout + new TextDecoder().decode(result.stderr) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { ok: false, stdout: "", output: `${cmd}: not found` };
    }
    throw error;
  }
}

/** Makes sure nbconvert and the Deno kernel are there; installs the kernelspec if it is not. */
async function ensureJupyter(): Promise<void> {
  const nbconvert = await run("jupyter", ["nbconvert", "--version"]);
  if (!nbconvert.ok) {
    throw new Error(`Cannot run notebooks: jupyter nbconvert is missing (${INSTALL_HINT})`);
  }
  const specs = await run("jupyter", ["kernelspec", "list", "--json"]);
  const kernels = specs.ok
    ? Object.keys(
      (JSON.parse(specs.stdout) as { kernelspecs: Record<string, unknown> }).kernelspecs,
    )
    : [];
  if (!kernels.includes("deno")) {
    console.log("Installing the Deno Jupyter kernel (deno jupyter --install)");
    const install = await run(Deno.execPath(), ["jupyter", "--install"]);
    if (!install.ok) throw new Error(`Cannot install the Deno kernel: ${install.output.trim()}`);
  }
}

const ATTEMPTS = 3;

/** Arguments of `jupyter nbconvert` that execute one notebook in place or into `out`. */
function nbconvertArgs(path: string, out: string | undefined, timeout: string): string[] {
  return [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    `--ExecutePreprocessor.timeout=${timeout}`,
    "--ExecutePreprocessor.kernel_name=deno",
    // Timestamps in every cell would make each re-run a diff of the whole notebook.
    "--ExecutePreprocessor.record_timing=False",
    ...(out ? ["--output-dir", out] : ["--inplace"]),
    path,
  ];
}

/** 1-based numbers of the code cells of an executed notebook that have no outputs. */
async function cellsWithoutOutput(path: string): Promise<number[]> {
  const notebook = JSON.parse(await Deno.readTextFile(path)) as {
    cells: { cell_type: string; outputs?: unknown[] }[];
  };
  return notebook.cells.flatMap((cell, i) =>
    cell.cell_type === "code" && (cell.outputs ?? []).length === 0 ? [i + 1] : []
  );
}

/**
 * Checks that every chart of an executed notebook shows without SVG support: each output with an
 * `image/svg+xml` also has an `image/png`, and `jupyter nbconvert --to html` (whose Debian 6.5
 * drops inline SVG) turns each PNG into an `<img>`. Returns the number of PNG charts.
 */
async function checkChartsInHtml(path: string): Promise<number> {
  const notebook = JSON.parse(await Deno.readTextFile(path)) as {
    cells: { cell_type: string; outputs?: { data?: Record<string, unknown> }[] }[];
  };
  let pngs = 0;
  for (const [i, cell] of notebook.cells.entries()) {
    for (const output of cell.outputs ?? []) {
      const data = output.data ?? {};
      if ("image/svg+xml" in data && !("image/png" in data)) {
        throw new Error(
          `Cannot check ${basename(path)}: cell ${i + 1} has an SVG chart without PNG`,
        );
      }
      if ("image/png" in data) pngs++;
    }
  }
  const html = await run("jupyter", ["nbconvert", "--to", "html", "--stdout", path]);
  if (!html.ok) throw new Error(`Cannot convert ${basename(path)} to HTML: ${html.output.trim()}`);
  const images = html.stdout.match(/<img [^>]*src="data:image\/png;base64,/g)?.length ?? 0;
  if (images < pngs) {
    throw new Error(
      `Cannot check ${basename(path)}: its HTML shows ${images} PNG images for ${pngs} PNG charts`,
    );
  }
  return pngs;
}

/** Notebook files `NN_name.ipynb` in name order. */
async function listNotebooks(only: string | undefined): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(NOTEBOOKS_DIR)) {
    if (entry.isFile && /^\d\d_.*\.ipynb$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort().filter((name) => only === undefined || name.includes(only)).map((name) =>
    join(NOTEBOOKS_DIR, name)
  );
}

await runMain(async () => {
  const flags = parseFlags(
    Deno.args,
    FLAGS,
    "Usage: deno task notebooks [--only 04] [--out DIR]\n\n" +
      "Executes the notebooks in order with the Deno kernel; fails if any cell errors.",
  );
  const only = typeof flags.only === "string" ? flags.only : undefined;
  const out = typeof flags.out === "string" ? flags.out : undefined;
  await ensureJupyter();
  const notebooks = await listNotebooks(only);
  if (notebooks.length === 0) throw new RangeError(`Cannot run notebooks: none match "${only}"`);
  if (out) await Deno.mkdir(out, { recursive: true });
  for (const path of notebooks) {
    const started = performance.now();
    // The Deno kernel can report a cell finished before its last output reaches nbconvert, which
    // then saves the cell without it. Every cell of our notebooks shows something, so a code cell
    // with no output means a lost message: run the notebook again (it is seeded, so the same).
    let missing: number[] = [];
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const target = out ? join(out, basename(path)) : path;
      const result = await run("jupyter", nbconvertArgs(path, out, String(flags.timeout)));
      if (!result.ok) {
        // nbconvert prints the failing cell and its traceback; show its tail.
        console.error(result.output.split("\n").slice(-40).join("\n"));
        throw new Error(`Cannot run notebooks: ${basename(path)} failed (a cell raised an error)`);
      }
      missing = await cellsWithoutOutput(target);
      if (missing.length === 0) break;
      console.log(`${basename(path)}: cells ${missing.join(", ")} came back empty, re-running`);
    }
    if (missing.length > 0) {
      const cells = missing.join(", ");
      throw new Error(
        `Cannot run notebooks: ${
          basename(path)
        } cells ${cells} have no output after ${ATTEMPTS} runs`,
      );
    }
    const charts = await checkChartsInHtml(out ? join(out, basename(path)) : path);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`ok ${basename(path)} (${seconds} s; ${charts} charts, each an <img> in its HTML)`);
  }
});
