// Runs once before the test files: probes the kernel features integration
// tests need (test/helpers/features.ts), prints one line for each, and hands
// the results to the test files (inject('kernelFeatures')).
import type { TestProject } from 'vitest/node';
import { PROBES, describeFeature, probeAll, type FeatureName } from './helpers/features.js';

export default function setup(project: TestProject): void {
  // As helpers/kernel.ts decides, without loading the addon into vitest's own process.
  if (process.getuid?.() !== 0) {
    console.log('kernel features: not probed (integration tests need root)');
    project.provide('kernelFeatures', undefined);
    return;
  }
  const states = probeAll();
  for (const name of Object.keys(PROBES) as FeatureName[]) console.log(describeFeature(name, states[name]));
  project.provide('kernelFeatures', states);
}
