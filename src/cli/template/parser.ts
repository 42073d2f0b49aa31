import type { Command, Node, Operand, Pipeline } from './ast.js';
import { lex, type Token } from './lexer.js';
import { TemplateError } from './template-error.js';

/** Go template keywords ferry does not implement; named in the error so the user knows what to change. */
const UNSUPPORTED_KEYWORDS = new Set(['define', 'template', 'block', 'break', 'continue']);

class Parser {
  private i = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw this.fail(this.source.length, 'unexpected end of template');
    return t;
  }

  private fail(pos: number, problem: string): TemplateError {
    return new TemplateError(this.source, pos, problem);
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (!t || t.kind !== kind) throw this.fail(t?.pos ?? this.source.length, `expected ${what}, found ${t ? `"${t.value}"` : 'the end'}`);
    return this.next();
  }

  /** Nodes up to `{{end}}` / `{{else}}` (returned as the terminator) or the end of input. */
  parseList(): { nodes: Node[]; terminator: 'end' | 'else' | 'eof'; pos: number } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) return { nodes, terminator: 'eof', pos: this.source.length };
      this.next();
      if (t.kind === 'text') {
        nodes.push({ kind: 'text', text: t.value });
        continue;
      }
      const head = this.peek();
      if (head?.kind === 'ident' && (head.value === 'end' || head.value === 'else')) {
        this.next();
        if (head.value === 'end') this.expect('close', '"}}" after end');
        return { nodes, terminator: head.value, pos: head.pos };
      }
      if (head?.kind === 'ident' && (head.value === 'if' || head.value === 'with' || head.value === 'range')) {
        this.next();
        nodes.push(this.parseControl(head.value, head.pos));
        continue;
      }
      if (head?.kind === 'ident' && UNSUPPORTED_KEYWORDS.has(head.value)) {
        throw this.fail(head.pos, `"{{${head.value}}}" is not supported (ferry's subset: fields, variables, if/else, range, with, functions; see docs/inspect.md)`);
      }
      const pipeline = this.parsePipeline('close', false);
      this.expect('close', '"}}"');
      nodes.push({ kind: 'action', pipeline });
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): Node {
    const pipeline = this.parsePipeline('close', kind === 'range');
    this.expect('close', `"}}" after ${kind}`);
    const body = this.parseList();
    if (body.terminator === 'eof') throw this.fail(pos, `{{${kind}}} without {{end}}`);
    let otherwise: Node[] = [];
    if (body.terminator === 'else') {
      const chained = this.peek();
      if (chained?.kind === 'ident' && (chained.value === 'if' || chained.value === 'with') && kind !== 'range') {
        // {{else if …}}: a nested if that shares the outer {{end}}
        this.next();
        otherwise = [this.parseControl(chained.value, chained.pos)];
      } else {
        this.expect('close', '"}}" after else');
        const rest = this.parseList();
        if (rest.terminator !== 'end') throw this.fail(rest.pos, `{{${kind}}} needs {{end}} after its {{else}}`);
        otherwise = rest.nodes;
      }
    }
    return { kind, pos, pipeline, body: body.nodes, otherwise };
  }

  parsePipeline(until: 'close' | 'rparen', allowTwoVariables: boolean): Pipeline {
    const start = this.peek()?.pos ?? this.source.length;
    const variables: string[] = [];
    let assign = false;
    const a = this.peek();
    const b = this.peek(1);
    if (a?.kind === 'variable' && (b?.kind === 'declare' || b?.kind === 'assign')) {
      variables.push(a.value);
      assign = b.kind === 'assign';
      this.i += 2;
    } else if (a?.kind === 'variable' && b?.kind === 'comma' && this.peek(2)?.kind === 'variable' && this.peek(3)?.kind === 'declare') {
      if (!allowTwoVariables) throw this.fail(a.pos, 'two variables are only allowed in range');
      variables.push(a.value, this.peek(2)?.value ?? '');
      this.i += 4;
    }
    const commands: Command[] = [];
    for (;;) {
      const cmdPos = this.peek()?.pos ?? this.source.length;
      const args: Operand[] = [];
      while (this.peek() && this.peek()?.kind !== until && this.peek()?.kind !== 'pipe' && this.peek()?.kind !== 'close') {
        args.push(this.parseOperand());
      }
      if (args.length === 0) throw this.fail(cmdPos, commands.length ? 'missing command after "|"' : 'empty action');
      commands.push({ pos: cmdPos, args });
      if (this.peek()?.kind !== 'pipe') break;
      this.next();
    }
    return { pos: start, variables, assign, commands };
  }

  /** Field names written right after the previous token (`.A.B`, `$x.A`, `(…).A`). */
  private chain(after: number): string[] {
    const names: string[] = [];
    let end = after;
    while (this.peek()?.kind === 'field' && this.peek()?.pos === end) {
      const t = this.next();
      names.push(t.value);
      end = t.end ?? t.pos;
    }
    return names;
  }

  private parseOperand(): Operand {
    const t = this.next();
    const end = t.end ?? t.pos + t.value.length;
    switch (t.kind) {
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'field':
        return { kind: 'field', pos: t.pos, base: null, names: [t.value, ...this.chain(end)] };
      case 'variable': {
        const names = this.chain(end);
        const v: Operand = { kind: 'variable', pos: t.pos, name: t.value };
        return names.length ? { kind: 'field', pos: t.pos, base: v, names } : v;
      }
      case 'string':
        return { kind: 'literal', pos: t.pos, value: t.value };
      case 'number':
        return { kind: 'literal', pos: t.pos, value: parseNumber(this.source, t) };
      case 'ident':
        if (t.value === 'true' || t.value === 'false') return { kind: 'literal', pos: t.pos, value: t.value === 'true' };
        if (t.value === 'nil') return { kind: 'literal', pos: t.pos, value: null };
        if (['if', 'with', 'range', 'else', 'end'].includes(t.value) || UNSUPPORTED_KEYWORDS.has(t.value)) {
          throw this.fail(t.pos, `"${t.value}" cannot be used inside an expression`);
        }
        return { kind: 'function', pos: t.pos, name: t.value };
      case 'lparen': {
        const pipeline = this.parsePipeline('rparen', false);
        const close = this.expect('rparen', '")"');
        const names = this.chain(close.pos + 1);
        const p: Operand = { kind: 'pipeline', pos: t.pos, pipeline };
        return names.length ? { kind: 'field', pos: t.pos, base: p, names } : p;
      }
      default:
        throw this.fail(t.pos, `unexpected "${t.value}"`);
    }
  }
}

function parseNumber(source: string, t: Token): number {
  const n = Number(t.value.replace(/_/g, ''));
  if (!Number.isFinite(n)) throw new TemplateError(source, t.pos, `bad number ${t.value}`);
  return n;
}

/** Parses a Go template (ferry's subset) into nodes; a one-line TemplateError names what is wrong and where. */
export function parseTemplate(source: string): Node[] {
  const parser = new Parser(source, lex(source));
  const { nodes, terminator, pos } = parser.parseList();
  if (terminator !== 'eof') throw new TemplateError(source, pos, `unexpected {{${terminator}}}`);
  return nodes;
}
