// A filesystem's CLI killed with SIGKILL, as a crash or the OOM killer would: no mount may stay
// behind ("Transport endpoint is not connected"), whenever it dies and whoever runs it.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeReport, sigkillTrialCount, sigkillTrials, userCanMount } from '@fusekit/test-harness';

export interface SigkillSuiteOptions {
  /** The command, as the describe block names it. */
  name: string;
  /** The CLI's built script, run with this Node. */
  cli: string;
  /** Its arguments for a mountpoint (and a scratch directory the trial made, e.g. a source). */
  args(mountpoint: string, scratch: string): string[];
}

export function describeSigkill({ name, cli, args }: SigkillSuiteOptions): void {
  const start = (mountpoint: string, scratch: string, options: { env: NodeJS.ProcessEnv; uid?: number; gid?: number }) =>
    spawn(process.execPath, [cli, ...args(mountpoint, scratch)], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const nobody = 65534;

  describe(`${name} killed with SIGKILL`, () => {
    it('leaves no stale mount, killed at random moments, idle and under load', async () => {
      const report = await sigkillTrials({ start, trials: sigkillTrialCount(50) });
      console.info(describeReport(report));
      expect(report.stale, JSON.stringify(report)).toEqual([]);
      expect(report.underLoad).toBeGreaterThan(0);
    }, 180_000);

    it('leaves no stale mount when run by a normal user', async (context) => {
      // Where /dev/fuse is open to normal users (Debian's fuse3 makes it 0666) and they can read the CLI.
      if (!(await userCanMount(nobody, nobody, [cli]))) context.skip();
      const report = await sigkillTrials({ start, trials: sigkillTrialCount(20), uid: nobody, gid: nobody });
      console.info(describeReport(report));
      expect(report.stale, JSON.stringify(report)).toEqual([]);
      expect(report.underLoad).toBeGreaterThan(0);
    }, 180_000);
  });
}
