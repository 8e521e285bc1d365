interface ReportInput {
  fib: number[];
  sizes: Array<{ size: number } | null>;
}

export function report(input: ReportInput): { fibTotal: number; bytes: number } {
  return {
    fibTotal: input.fib.reduce((total, value) => total + value, 0),
    bytes: input.sizes.reduce((total, page) => total + (page?.size ?? 0), 0),
  };
}
