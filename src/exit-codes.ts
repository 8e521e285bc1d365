/**
 * jobrun's exit codes, as the README's command line section lists them: the CLI turns outcomes
 * into them, and `jobrun schedule` reads its runs' exits back with them.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** The results file could not be written: a full disk, a read-only folder, … (`EX_IOERR`). */
export const EXIT_CANT_WRITE = 74;
/** Another run holds a lock: of the same job, or of the same results file (`EX_TEMPFAIL`). */
export const EXIT_LOCKED = 75;
/** A run stopped by a signal: the terminal hung up, Ctrl-C, a `kill`. */
export const EXIT_BY_SIGNAL: Readonly<Record<string, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};
