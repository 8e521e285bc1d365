import { LineCounter, parseDocument, type Document } from 'yaml';

/** A parsed job file, with what is needed to place problems at a line and column. */
export interface ParsedYaml {
  document: Document;
  lineCounter: LineCounter;
  /** Syntax errors and duplicate keys, each with its 1-based place. */
  errors: Array<{ line: number; col: number; message: string }>;
}

/**
 * Parses YAML keeping source positions. Duplicate keys are errors (a silently dropped
 * `retries:` is worse than a refusal).
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors = document.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return {
      line,
      col,
      // The error's range covers only the key's first character: read the key up to its colon.
      message: describeYamlError(
        error.code,
        error.message,
        /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0] ?? '',
      ),
    };
  });
  return { document, lineCounter, errors };
}

function describeYamlError(code: string, message: string, source: string): string {
  if (code === 'DUPLICATE_KEY') {
    return `duplicate key ${JSON.stringify(source.trim())}: a key may appear only once in a mapping; remove or rename one`;
  }
  // yaml's own messages are precise; make them one line and say what kind of error it is.
  return `YAML syntax error: ${message.split('\n')[0] ?? message}`;
}
