/**
 * Runs one step of a clean-up, giving up after `ms`: closing a connection to a Redis that is gone
 * must not hang jobrun. A step that fails or takes too long is skipped; the caller then
 * disconnects hard.
 */
export async function closeWithin(ms: number, step: () => Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([step().catch(() => undefined), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
