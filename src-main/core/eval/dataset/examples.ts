import type { DatasetFormat } from '../../../contract/index.js';

/** One instruction example, with what it is about (its split group) and the template that made it (its count). */
export interface Example {
  group: string;
  template: string;
  instruction: string;
  input: string;
  output: string;
}

/** The examples kept so far: an exact repeat of one (whitespace aside) is counted, not kept. */
export class Examples {
  readonly kept: Example[] = [];
  duplicatesRemoved = 0;
  readonly #seen = new Set<string>();

  /** False when the example repeats one already kept. */
  add(example: Example): boolean {
    const key = [example.instruction, example.input, example.output].map(collapseSpace).join('\u0000');
    if (this.#seen.has(key)) {
      this.duplicatesRemoved += 1;
      return false;
    }
    this.#seen.add(key);
    this.kept.push(example);
    return true;
  }
}

function collapseSpace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/**
 * One line of the file, with nothing but the format's own keys (trainers map columns by name, and
 * an unexpected one breaks some of them): Alpaca's instruction/input/output, or ShareGPT's
 * conversation of a human turn and a gpt turn.
 */
export function exampleLine(example: Example, format: DatasetFormat): string {
  if (format === 'alpaca') return JSON.stringify({ instruction: example.instruction, input: example.input, output: example.output });
  const question = example.input ? `${example.instruction}\n\n${example.input}` : example.instruction;
  return JSON.stringify({ conversations: [{ from: 'human', value: question }, { from: 'gpt', value: example.output }] });
}
