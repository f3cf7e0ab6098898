// fusekit-memory killed with SIGKILL, as a crash or the OOM killer would: no mount may stay behind
// ("Transport endpoint is not connected"), whenever it dies and whoever runs it.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { describeReport, sigkillTrialCount, sigkillTrials, userCanMount } from '@fusekit/test-harness';
import { CLI } from './cli-path.js';

const start = (mountpoint: string, _scratch: string, options: { env: NodeJS.ProcessEnv; uid?: number; gid?: number }) =>
  spawn(process.execPath, [CLI, mountpoint], { stdio: ['ignore', 'pipe', 'pipe'], ...options });

const nobody = 65534;
const userMounts = await userCanMount(nobody);

describe('fusekit-memory killed with SIGKILL', () => {
  it('leaves no stale mount, killed at random moments, idle and under load', async () => {
    const report = await sigkillTrials({ start, trials: sigkillTrialCount(50) });
    console.info(describeReport(report));
    expect(report.stale, JSON.stringify(report)).toEqual([]);
    expect(report.underLoad).toBeGreaterThan(0);
  }, 180_000);

  it.skipIf(!userMounts)('leaves no stale mount when run by a normal user', async () => {
    const report = await sigkillTrials({ start, trials: sigkillTrialCount(20), uid: nobody, gid: nobody });
    console.info(describeReport(report));
    expect(report.stale, JSON.stringify(report)).toEqual([]);
    expect(report.underLoad).toBeGreaterThan(0);
  }, 180_000);
});
