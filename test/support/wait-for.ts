/**
 * Polls `check` every `intervalMs` until it holds, or fails after `timeoutMs` naming `what`: for
 * waiting on what other processes do (files, servers, daemons), where there is no event to wait
 * for.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
