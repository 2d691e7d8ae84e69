import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectOk, runCli, expectCleanError } from './support/run-cli';

describe('diffli2d info and bench', () => {
  it('info --json gives versions and the backend chosen, with reasons for the ones skipped', async () => {
    const run = await runCli(['--backend', 'cpu', 'info', '--json', '-q']);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.versions['@diffli2d/cli']).toBe('0.1.0');
    expect(doc.versions['@diffli2d/diffli2d']).toBe('0.1.0');
    // sharp's `exports` hide its package.json: its version is still found (from its entry point)
    const sharpPackage = path.join(path.dirname(require.resolve('sharp')), '..', 'package.json');
    expect(doc.versions.sharp).toBe(JSON.parse(fs.readFileSync(sharpPackage, 'utf8')).version);
    expect(doc.backend).toMatchObject({ name: 'cpu', backend: 'cpu' });
    expect(doc.defaultModel).toMatch(/default-model\/models\/diffli2d\.safetensors$/);
    expect(doc.v1Model).toMatch(/default-model\/models\/v1\/diffli2d\.safetensors$/);
    const auto = JSON.parse((await runCli(['info', '--json', '-q'])).stdout);
    // tfjs-node is not installed here, so 'auto' says why it passed it over
    expect(auto.backend.reasons['tfjs-node']).toMatch(/not installed|cannot|failed/);
  });

  it('bench --json times conv2d and the network', async () => {
    const run = await runCli(['--backend', 'wasm', 'bench', '--preset', 'tiny', '--size', '32', '--repeats', '1', '--json', '-q']);
    expectOk(run);
    const doc = JSON.parse(run.stdout);
    expect(doc.backend.name).toBe('wasm');
    expect(doc.conv.gflops).toBeGreaterThan(0);
    expect(doc.hspace).toBeNull();
    expect(doc.network).toMatchObject({ preset: 'tiny', parameters: 120483 });
    expect(doc.network.ms).toBeGreaterThan(0);
  });

  it('a bad --backend is a usage error', async () => {
    expectCleanError(await runCli(['--backend', 'cuda', 'info']), 2, /--backend: unknown backend 'cuda'/);
  });
});
