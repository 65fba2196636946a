// Every usage text of the `pursuit-lab` command, in one module that loads nothing heavy:
// `--help`, `help <command>` and `<command> --help` answer from here without loading the
// command's code (the model readers, mathjs, the job engine, ECharts).
import { METHOD_IDS } from '../core/pursuit/types';
import { REPORT_FORMATS } from '../main/services/reports/formats';
import { MEMORY_BUDGET_USAGE } from './budget';

/** Where runs/ lives unless --workspace says otherwise. */
export const DEFAULT_WORKSPACE = 'pursuit-lab-workspace';

export const usage = `Usage: pursuit-lab <command> [options]

Commands:
  inspect <model> [--json] [--out file.json]   architecture summary of a generator
  invert <model|random:…> [--method lp,…]      invert generated signals and measure the recovery
  check <model|random:…> [--samples N]         is it invertible? Theorems 1–3 per sample, and a verdict
  generate <model> --z FILE [--json out.json]  G(z) and every hidden layer for given latent vectors
  convert <model> --to json <out.json>         write any readable model as Pursuit Lab JSON
  experiment <spec.json | fig2 | fig3 | noise>  run a job (invert, check, sweep, trained, noise, project) on every core, kept in a run folder
  project <model> <input.png|.npy|.json>       invert given signals (an image, an array): ẑ, G(ẑ), residual, certificate
  runs [--workspace DIR]                       list the runs of a workspace with their state and progress
  report <run> [--format html,pdf,…]           a run's figures (SVG, PNG), tidy CSV, HTML and PDF report

Models: Pursuit Lab JSON, ONNX (exported from PyTorch), safetensors and npz
(nn.Sequential state dicts; --arch FILE or --output ACT), or random:n0,…,n[:act][@seed].

Run \`pursuit-lab help <command>\` for a command's options, \`pursuit-lab --version\` for the version.
Exit codes: 0 success, 1 bad input (file, model), 2 bad command line.`;

export const MODEL_FLAGS_USAGE = `  --arch FILE          architecture sidecar for a weights-only file (default: NAME.arch.json beside it, if present)
  --output ACT         output activation of a weights-only file without a sidecar:
                       identity, tanh, sigmoid, leaky_relu (0.2), plu (0.1, 1) or custom(EXPRESSION)
  --image-shape HxW    read the output as an image of H rows × W columns (H·W must be n; a square n
                       needs none), for image grids in reports
${MEMORY_BUDGET_USAGE}`;

export const inspectUsage = `pursuit-lab inspect <model> [--json] [--out file.json]

Prints a generator's architecture: layer widths, shapes, activations and
parameter count (BatchNorm folded into its linear layer). With --json prints
JSON instead (--out writes it to a file):
{"dims": [n0, n1, …, n], "output": "<activation>", "parameters": N, …}.

${MODEL_FLAGS_USAGE}`;

export const invertUsage = `pursuit-lab invert <model | random:n0,n1,…,n[:activation][@seed]> [options]

Draws --count latent vectors z ~ N(0, I), observes G(z) (optionally masked
and noisy) and inverts every signal with each method, measuring the
recovery by feeding ẑ back through the generator. Runs as an invert job:
the signals in chunks over a pool of worker threads, saved to
<workspace>/runs/<id>/ as they finish (Ctrl-C keeps them; resume with
pursuit-lab experiment --resume ID). Each signal is drawn from its own seed,
so the report is the same bits whatever --workers and --chunk-size.

  --method LIST        any of ${METHOD_IDS.join(',')} (default lp);
                       lei: Lei et al. (2019), one LP per layer (HiGHS); gd-clip: gd with
                       Lipton & Tripathi (2017)'s stochastic clipping of z to [−4, 4]
  --count N            signals (default 64; with the model, checked against --memory-budget)
  --seed S             the run's seed (default 0): signal i's z, noise, mask and GD starts
                       (gd-clip's redraws too) are drawn from its own seed, derived from S and i
  --mask M             none | random:FRACTION | rows:FROM-TO (default none)
  --noise SIGMA        Gaussian noise σ on the known pixels (default 0)
  --measure M          pixels (default) | gaussian:M[:SEED]: compressed sensing, y = A·G(z) + e
                       with A an M × n Gaussian matrix, entries N(0, 1/M), seeded by SEED
                       (default --seed); no mask with it; lbp and oracle need φ = identity
  --lambda L           ℓ1 weight of lp and lbp (default 0, the paper's experiments);
                       theorem3: lbp takes the Theorem 3 rule λ_i = 2ε_{i+1}
  --max-iterations N   iteration cap of the iterative solvers
  --restarts K         random starts for gd, gd-clip and adam (default 1)
  --starts K           hybrid: random starts for a signal LP leaves unsettled (default 3)
  --gd-schedule S      gd, gd-clip and adam's step schedule: geometric (gd's default: 0.1 → 1e-3;
                       adam 0.01 → 1e-4) or step (halved every 2,500 iterations: the
                       paper's, and adam's default)
  --plain              the paper's plain iterations, without exact solves on settled supports
  --json FILE          write the full report (every signal) as JSON
  --workers N          worker threads (default: every core, os.availableParallelism())
  --chunk-size N       signals per chunk (default 16)
  --workspace DIR      where runs/ lives (default ./${DEFAULT_WORKSPACE})
  --certify            add each recovered signal's uniqueness certificate (Theorem 1 on ẑ's supports)
  --success-threshold T   success means ‖ẑ − z‖/‖z‖ < T (default 0.001)
  --saturation-tolerance T   tanh/sigmoid: a pixel within T of the edge of φ's range is a
                       one-sided bound on its pre-activation, not an equation (default √ε·(hi − lo),
                       2.98e-8 for tanh)
${MODEL_FLAGS_USAGE}

A random model has W_i i.i.d. N(0, 1/n_i), zero biases, weight seed 0 unless @seed.`;

export const checkUsage = `pursuit-lab check <model | random:…> [--samples N] [--seed S] [--noise SIGMA] [--saturation-tolerance T] [--json out.json]

Is the generator invertible, and how sure can we be? Samples N latents
z ~ N(0, I) (default 256, seed 0), reads every sample's supports and
evaluates the paper's conditions on them: Theorem 1 (any weights; spark
replaced by certified lower bounds, so a pass is a proof), Theorem 2 (i.i.d.
Gaussian weights), Theorem 3 (coherence, the layered pursuit's stability;
with --noise its error bounds). Prints a per-layer table and a verdict.
For tanh and sigmoid outputs it counts the saturated pixels (within
--saturation-tolerance T of φ's range, default √ε·(hi − lo)): they carry no
equation, so the last layer's conditions count only the others.

${MODEL_FLAGS_USAGE}`;

export const generateUsage = `pursuit-lab generate <model> --z FILE [--json out.json]

Computes G(z) and every hidden layer for the latent vectors in FILE: a JSON
array of arrays ([[…n0 values…], …]) or an .npy of shape [count, n0]. Writes
{"output": [[…n values…] per z], "hidden": [[[…n_i values…] per z] per hidden layer]}
to --json FILE, or to standard output.

${MODEL_FLAGS_USAGE}`;

export const convertUsage = `pursuit-lab convert <model> --to json <out.json>

Writes any model Pursuit Lab reads (ONNX, safetensors, npz, JSON, random:…)
as Pursuit Lab JSON, BatchNorm folded, every weight exact (float64).

${MODEL_FLAGS_USAGE}`;

export const experimentUsage = `pursuit-lab experiment <spec.json> [--workers N] [--workspace DIR] [--json FILE]
pursuit-lab experiment fig2|fig3|noise|cs [--model M] [--quick] [--count N] [--seed S] [--methods LIST]
                       [--paper-protocol] [--m LIST]
                       [--workers N] [--workspace DIR] [--json FILE]
pursuit-lab experiment --resume ID [--workers N] [--workspace DIR] [--json FILE]
pursuit-lab experiment <spec.json | preset …> --shard K/N [--run-id ID] [--workers N] [--workspace DIR]
pursuit-lab experiment --merge <run folder>… [--workspace DIR] [--json FILE]

Runs an experiment as a job on every core and keeps it: the job is cut into
chunks (blocks of signals) computed by a pool of worker threads, each chunk
saved to <workspace>/runs/<id>/chunks/<k>.json as it finishes, then merged in
chunk order into result.json. The result is the same, bit for bit, whatever
the number of workers (timings aside: "seconds" fields). A run whose process
died (kill -9, a crash) shows as interrupted in \`pursuit-lab runs\`;
--resume computes only its missing chunks. Ctrl-C cancels and keeps the
finished chunks (resumable too).

spec.json: {"kind": "invert" | "check" | "sweep" | "trained" | "noise" | "project" | "sensing", "model": "FILE or random:…", …}
  invert: methods ["lp", …], count, seed, mask ("none", "random:F", "rows:A-B"),
          noise (σ), measure ("pixels", "gaussian:M", "gaussian:M:SEED"; A's seed defaults to seed),
          successThreshold, certify, options (per-method, as MethodOptions),
          chunkSize (signals per chunk, default 16)
  check:  samples, seed, noise (σ), saturationTolerance, chunkSize (default 64)
  sweep:  (no model) n0 [100, 200], n1 [50, 100, …, 1000], n 625, count 512, seed,
          methods ["lp", "lbp", "gd"], successThreshold, options, chunkSize 64
  trained: methods ["lp", "lbp", "oracle", "gd"], count 512, seed, successThreshold,
          options, chunkSize 16 (clean, 45% hidden at random, top rows hidden)
  noise:  sigmas (8 log-spaced, 1e-3 … 0.3), methods ["lp", "lbp", "oracle-e2e"], count 128,
          seed, successThreshold, options, boundSignals 16
  project: signals [[y…], …], hidden (pixel indices), methods ["lp", "lbp", "gd"], seed,
          offRangeThreshold 1e-3, options, chunkSize 16 (pursuit-lab project writes these from a file)
  sensing: m [measurement counts], methods ["lp", "gd", "oracle-e2e"], count 64, seed,
          measureSeed (A's seed, default seed + 7), noise (σ), successThreshold, options, chunkSize 16
A relative model path is read from the spec file's folder.

Presets: fig2 (the sweep, the paper's Fig. 2), fig3 (trained on --model, default
the bundled mnist-fc-gan.onnx), noise (noise on --model, same default), cs
(compressed sensing y = A·G(z), A m × n Gaussian, over --m, default 10, 20, 40, 80,
160, 320, 625, on --model, default random:20,200,625:tanh).
  --quick          a smoke run: 32 signals; fig2 on n0 = 100, n1 = 50, 150, 300, 450
                   with GD cut to 300 iterations and one start; noise on 4 σ's
  --count N, --seed S, --methods LIST   override the preset's
  --m LIST         cs: the measurement counts m (e.g. 50,100,200)
  --paper-protocol fig2 with the paper's per-signal choices: GD's step as the smallest
                   of {1e-1, 1, …, 1e4} ending with ‖∇‖ < 1e-9, LBP's λ as the one of
                   {1e-5, 7e-6, 3e-6, 1e-6, 0} with the lowest misfit (up to 6× and 5× the time)

  --workers N      worker threads (default: every core, os.availableParallelism())
  --workspace DIR  where runs/ lives (default ./${DEFAULT_WORKSPACE})
  --resume ID      finish an interrupted, cancelled or failed run
  --json FILE      also write the result there, with {"run": {"id", "dir"}} added

On a cluster (a Slurm job array, say), each task runs the same command with
--shard K/N (K from 1 to N) and computes only chunks k with k mod N = K − 1,
into the run folder <workspace>/runs/<id>/. Every shard derives the same id
from the job and the model's SHA-256 (<kind>-<12 hex digits>) unless --run-id
gives one; a shard started again resumes its share. A shard ends "partial"
unless the folder then holds every chunk (a shared folder), which it merges.
--merge gathers the chunk files of run folders of one job (same spec and
model SHA-256) into <workspace>/runs/<id>/ and writes the result.json one
machine would write.

Exit codes: 0 done, 1 bad input or a failed run, 2 bad command line, 130 cancelled.`;

export const runsUsage = `pursuit-lab runs [--workspace DIR] [--json]

Lists the runs of a workspace (default ./${DEFAULT_WORKSPACE}), oldest first,
with their state (queued, running, interrupted, cancelled, failed, done) and
chunks done. A run whose process died shows as interrupted: finish it with
\`pursuit-lab experiment --resume ID\`.

  --workspace DIR  the workspace
  --json           the list as JSON on stdout`;

export const reportUsage = `pursuit-lab report <run id | run folder> [--workspace DIR] [--out DIR] [--format LIST]

Writes a finished run's figures and report: the figures as the app draws
them (the same chart builders), rendered in Node to SVG and PNG, their data
as tidy CSV, and one self-contained HTML page (figures inline, the summary
or verdict, the spec, the model's SHA-256, versions, seed, kernel, timings)
printed to PDF with the system's Chromium when one is found.

  <run>            a run id of the workspace, or a run folder's path
  --workspace DIR  where runs/ lives (default ./${DEFAULT_WORKSPACE})
  --out DIR        write there instead of into the run folder
  --format LIST    any of ${REPORT_FORMATS.join(',')} (default: all)

Writes <out>/figures/<figure>.svg, .png, .json (the chart option with its
data), <out>/figures/<kind>.csv, <out>/report.html and <out>/report.pdf.
invert: Fig. 3 (SNR per layer and method) and success per method; CSV one
row per method × signal × layer. check: sparsity per layer with Theorem 2's
bounds; CSV one row per layer. sweep: Fig. 2 per n₀ and layer; CSV one row
per grid point × method × layer.

Exit codes: 0 written, 1 no such run or no result yet, 2 bad command line.`;

// The default methods are DEFAULT_PROJECT_METHODS of core/experiments/project (test/unit/cli/help.test.ts checks).
export const projectUsage = `pursuit-lab project <model|random:…> <input.png|.jpg|.npy|.json> [--mask FILE] [--method LIST]
                    [--range LO,HI] [--seed S] [--off-range T] [--workers N] [--workspace DIR] [--json FILE]

Inverts given signals instead of drawn ones: finds ẑ with G(ẑ) ≈ y for each
signal y in the file, with every method, as a \`project\` job kept in a run
folder like \`pursuit-lab experiment\` (resume it with experiment --resume ID,
draw its figures with \`pursuit-lab report ID\`). Per signal and method: ẑ,
G(ẑ), the residual ‖M(G(ẑ) − y)‖ on the known pixels and its relative size,
and — when the fit reproduces y (relative residual ≤ --off-range) — the
uniqueness certificate of ẑ (Theorem 1). A signal off the generator's range
gets its best fit and how far off it is; no certificate is claimed for it.

Inputs (told apart by their first bytes):
  PNG, JPEG   one signal: grayscale (ITU-R BT.601 luma, alpha over black), resized
              to the model's square image (area averaging down, bilinear up), pixel
              values mapped linearly onto [−1, 1] ([0, 1] for a sigmoid output)
  .npy        shape [n] or [count, n], float16/32/64 or int64, values as they are
  JSON        a list of n numbers, or a list of such lists

  --mask FILE      a mask image: black (gray < 0.5) = hidden, the same for every
                   signal; the model's image size, or the input image's
  --method LIST    any of ${METHOD_IDS.filter((m) => !m.startsWith('oracle')).join(',')} (default lp,lbp,gd);
                   the oracles need true supports, which a given signal has not
  --range LO,HI    map image pixels 0 … max onto LO … HI instead (e.g. 0,1)
  --seed S         seeds gradient descent's random starts (default 0)
  --off-range T    relative residual above which a fit is off the range (default 1e-3;
                   for an image, twice its quantisation error when that is larger)
  --workers N      worker threads (default: every core)
  --workspace DIR  where runs/ lives (default ./${DEFAULT_WORKSPACE})
  --json FILE      also write the result there, with {"run": {"id", "dir"}} added
  --out DIR        also write each method's G(ẑ) as DIR/signal-<k>-<method>.png (16-bit gray,
                   the input's value range mapped back onto 0 … max; square images only)

The spec (spec.json in the run folder) holds the decoded signals themselves,
the mask as hidden pixel indices, and the input file's name, SHA-256 and
decode record (size, colour, resize, range), so the run reproduces without
the file.

Exit codes: 0 done, 1 bad input or a failed run, 2 bad command line, 130 cancelled.`;
