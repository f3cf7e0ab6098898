// The randomized tree exerciser (exerciser/exerciser.py), run as a child process: the same seeded
// operations on two trees (the filesystem under test and tmpfs), compared after every step.
import { fileURLToPath } from 'node:url';
import { run } from '@fusekit/test-harness';
import { PYTHON } from './probe.js';

export const EXERCISER = fileURLToPath(new URL('../exerciser/exerciser.py', import.meta.url));

/** What the exerciser prints: on success `steps`, `ops` (by kind) and `entries`; else the first difference. */
export interface ExerciserResult {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: { steps?: number; ops?: Record<string, number>; entries?: number; step?: number; differences?: unknown };
}

/** Runs `steps` operations drawn from `seed` on the trees `root` and `oracle` (made if missing). */
export async function runExerciser(
  root: string,
  oracle: string,
  seed: number,
  steps: number,
  timeoutMs = 150_000,
): Promise<ExerciserResult> {
  const r = await run(PYTHON, [EXERCISER, root, oracle, String(seed), String(steps)], { timeoutMs });
  let summary: ExerciserResult['summary'] = {};
  try {
    summary = JSON.parse(r.stdout) as ExerciserResult['summary'];
  } catch {
    // a crash: the caller shows stdout and stderr
  }
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, summary };
}
