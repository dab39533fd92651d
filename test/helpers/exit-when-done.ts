// Loaded into every test worker (package.json, ava.require). A worker whose tests have all ended
// exits even if a handle is still open (a child process's pipe, a socket closing, a timer):
// the runner waits for each worker to exit, and one that lingers would hold the whole suite.
// BROOK_TEST_HANDLES=1 names what was still open beyond the worker's own pipes, to find the test
// that leaked it.
import test, { registerCompletionHandler } from 'ava';

const atStart = process.getActiveResourcesInfo();

/** The resources open now that were not open when the worker loaded this module. */
function leaked(): string[] {
  const left = [...atStart];
  return process.getActiveResourcesInfo().filter((kind) => {
    const i = left.indexOf(kind);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

registerCompletionHandler(() => {
  if (process.env['BROOK_TEST_HANDLES'] === '1') {
    const open = leaked();
    if (open.length > 0) process.stderr.write(`open at the end of ${test.meta.file}: ${open.join(', ')}\n`);
  }
  process.exit();
});
