/** The parsed form of a template: what the evaluator walks. Positions are source offsets. */

export type Operand =
  | { kind: 'dot'; pos: number }
  /** `.A.B` on dot, `$x.A.B` on a variable, `(pipeline).A` on a result. */
  | { kind: 'field'; pos: number; base: Operand | null; names: string[] }
  | { kind: 'variable'; pos: number; name: string }
  | { kind: 'literal'; pos: number; value: string | number | boolean | null }
  | { kind: 'function'; pos: number; name: string }
  | { kind: 'pipeline'; pos: number; pipeline: Pipeline };

export interface Command {
  pos: number;
  args: Operand[];
}

export interface Pipeline {
  pos: number;
  /** `$x :=` (declare) or `$x =` (assign); `$i, $v :=` for range. */
  variables: string[];
  assign: boolean;
  commands: Command[];
}

/** {{if}}, {{with}} or {{range}}: `otherwise` is the {{else}} part (an {{else if}} is a nested node). */
export interface ControlNode {
  kind: 'if' | 'with' | 'range';
  pos: number;
  pipeline: Pipeline;
  body: Node[];
  otherwise: Node[];
}

export type Node = { kind: 'text'; text: string } | { kind: 'action'; pipeline: Pipeline } | ControlNode;
