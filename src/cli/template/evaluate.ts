import type { ControlNode, Node, Operand, Pipeline } from './ast.js';
import { FUNCTIONS, type TemplateFunction } from './functions.js';
import { TemplateError } from './template-error.js';
import { formatValue, GoNil, GoStruct, isMap, NO_VALUE, truth, typeName } from './values.js';

interface Variable {
  name: string;
  value: unknown;
}

/** Walks parsed nodes over one data value, as text/template's Execute does. */
class Evaluator {
  private out = '';
  private readonly vars: Variable[];

  constructor(
    private readonly source: string,
    root: unknown,
  ) {
    this.vars = [{ name: '$', value: root }];
  }

  private fail(pos: number, problem: string): never {
    throw new TemplateError(this.source, pos, problem);
  }

  run(nodes: Node[], dot: unknown): string {
    this.walk(nodes, dot);
    return this.out;
  }

  /** Runs a block; variables it declares end with it. */
  private walk(nodes: Node[], dot: unknown): void {
    const mark = this.vars.length;
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out += node.text;
          break;
        case 'action': {
          const value = this.pipeline(node.pipeline, dot);
          if (node.pipeline.variables.length === 0) this.out += formatValue(value);
          break;
        }
        case 'if':
        case 'with': {
          const value = this.pipeline(node.pipeline, dot);
          if (truth(value)) this.walk(node.body, node.kind === 'with' ? value : dot);
          else this.walk(node.otherwise, dot);
          break;
        }
        case 'range':
          this.range(node, dot);
          break;
      }
    }
    this.vars.length = mark;
  }

  private range(node: ControlNode, dot: unknown): void {
    const [first, second] = node.pipeline.variables;
    const value = this.pipeline({ ...node.pipeline, variables: [] }, dot);
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
    else if (value instanceof GoNil || value === NO_VALUE || value === null) entries = [];
    else if (isMap(value)) entries = Object.keys(value).sort().map((k) => [k, value[k]]);
    else if (typeof value === 'number' && Number.isInteger(value)) entries = Array.from({ length: Math.max(0, value) }, (_v, i) => [i, i]);
    else return this.fail(node.pipeline.pos, `range can't iterate over ${typeName(value)}`);
    if (entries.length === 0) return this.walk(node.otherwise, dot);
    for (const [key, element] of entries) {
      const mark = this.vars.length;
      // {{range $v := …}} binds the element; {{range $i, $v := …}} the index (or key) and the element
      if (second !== undefined) this.vars.push({ name: first ?? '$', value: key }, { name: second, value: element });
      else if (first !== undefined) this.vars.push({ name: first, value: element });
      this.walk(node.body, element);
      this.vars.length = mark;
    }
  }

  private pipeline(p: Pipeline, dot: unknown): unknown {
    let value: unknown;
    p.commands.forEach((cmd, i) => {
      const piped = i === 0 ? [] : [value];
      const [head, ...rest] = cmd.args;
      if (!head) return this.fail(cmd.pos, 'empty command');
      if (head.kind === 'function') {
        const fn = functionNamed(head.name);
        if (!fn) return this.fail(head.pos, `function "${head.name}" is not supported (see docs/inspect.md for the list)`);
        const args = [...rest.map((a) => this.operand(a, dot)), ...piped];
        value = fn(args, (problem) => this.fail(head.pos, `${head.name}: ${problem}`));
        return;
      }
      if (rest.length || piped.length) return this.fail(head.pos, `can't give arguments to a non-function (${describe(head)})`);
      value = this.operand(head, dot);
    });
    if (p.variables.length) this.bind(p, value);
    return value;
  }

  private bind(p: Pipeline, value: unknown): void {
    const name = p.variables[0] ?? '$';
    if (!p.assign) {
      this.vars.push({ name, value });
      return;
    }
    const v = [...this.vars].reverse().find((x) => x.name === name);
    if (!v) this.fail(p.pos, `undefined variable: ${name}`);
    v.value = value;
  }

  private operand(op: Operand, dot: unknown): unknown {
    switch (op.kind) {
      case 'dot':
        return dot;
      case 'literal':
        return op.value;
      case 'variable': {
        const v = [...this.vars].reverse().find((x) => x.name === op.name);
        return v ? v.value : this.fail(op.pos, `undefined variable: ${op.name}`);
      }
      case 'pipeline':
        return this.pipeline(op.pipeline, dot);
      case 'function': {
        const fn = functionNamed(op.name);
        if (!fn) return this.fail(op.pos, `function "${op.name}" is not supported (see docs/inspect.md for the list)`);
        return fn([], (problem) => this.fail(op.pos, `${op.name}: ${problem}`));
      }
      case 'field': {
        let value = op.base ? this.operand(op.base, dot) : dot;
        for (const name of op.names) value = this.field(value, name, op.pos);
        return value;
      }
    }
  }

  private field(value: unknown, name: string, pos: number): unknown {
    if (value instanceof GoStruct) {
      if (!Object.hasOwn(value.fields, name)) this.fail(pos, `can't evaluate field ${name} in type ${value.typeName}`);
      return value.fields[name];
    }
    if (value instanceof GoNil && value.type === 'map') return NO_VALUE;
    if (isMap(value)) return Object.hasOwn(value, name) ? value[name] : NO_VALUE;
    if (value === null || value === undefined || value === NO_VALUE || value instanceof GoNil) this.fail(pos, `nil pointer evaluating ${typeName(value)}.${name}`);
    return this.fail(pos, `can't evaluate field ${name} in type ${typeName(value)}`);
  }
}

/** Own keys only: "constructor" or "toString" in a template is not a function. */
function functionNamed(name: string): TemplateFunction | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
}

function describe(op: Operand): string {
  if (op.kind === 'field') return `.${op.names.join('.')}`;
  if (op.kind === 'variable') return op.name;
  if (op.kind === 'literal') return JSON.stringify(op.value);
  return op.kind;
}

export function evaluate(source: string, nodes: Node[], data: unknown): string {
  return new Evaluator(source, data).run(nodes, data);
}
