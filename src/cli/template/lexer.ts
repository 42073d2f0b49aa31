import { TemplateError } from './template-error.js';

/**
 * Tokens of Go's text/template, as far as ferry's subset goes. Text outside actions is
 * one token; inside `{{ }}` the lexer splits fields, variables, literals and punctuation.
 */
export type TokenKind =
  | 'text'
  | 'open' // {{
  | 'close' // }}
  | 'field' // .Name (value: "Name")
  | 'dot' // .
  | 'variable' // $ or $name (value: "$name")
  | 'ident' // function name or keyword
  | 'string'
  | 'number'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare' // :=
  | 'assign' // =
  | 'comma';

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset in the template source, for error messages. */
  pos: number;
  /** Offset just after the token (`.A.B` is two adjacent field tokens, `.A .B` two arguments). */
  end?: number;
}

const SIMPLE: Record<string, TokenKind> = { '|': 'pipe', '(': 'lparen', ')': 'rparen', ',': 'comma', '=': 'assign' };

function unquote(source: string, start: number, raw: string): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  try {
    // Go's interpreted strings share JSON's common escapes (\" \\ \n \t \uXXXX)
    return JSON.parse(raw.replace(/\\'/g, "'").replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as string;
  } catch {
    throw new TemplateError(source, start, `bad string literal ${raw}`);
  }
}

/** Lexes one action's inside, from `pos` up to its `}}`; returns the offset after the `}}`. */
function lexAction(source: string, pos: number, out: Token[]): number {
  let i = pos;
  for (;;) {
    while (i < source.length && /\s/.test(source[i] ?? '')) i++;
    if (i >= source.length) throw new TemplateError(source, pos, 'unclosed action: missing "}}"');
    const rest = source.slice(i);
    if (rest.startsWith('-}}') && /\s/.test(source[i - 1] ?? '')) {
      out.push({ kind: 'close', value: '-}}', pos: i });
      return i + 3;
    }
    if (rest.startsWith('}}')) {
      out.push({ kind: 'close', value: '}}', pos: i });
      return i + 2;
    }
    let m: RegExpExecArray | null;
    if ((m = /^\.[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) out.push({ kind: 'field', value: m[0].slice(1), pos: i });
    else if ((m = /^\.(?![0-9])/.exec(rest))) out.push({ kind: 'dot', value: '.', pos: i });
    else if ((m = /^\$[A-Za-z0-9_]*/.exec(rest))) out.push({ kind: 'variable', value: m[0], pos: i });
    else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) out.push({ kind: 'ident', value: m[0], pos: i });
    else if ((m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest)) || (m = /^`[^`]*`/.exec(rest))) out.push({ kind: 'string', value: unquote(source, i, m[0]), pos: i });
    else if ((m = /^[+-]?(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(rest))) out.push({ kind: 'number', value: m[0], pos: i });
    else if ((m = /^:=/.exec(rest))) out.push({ kind: 'declare', value: ':=', pos: i });
    else if ((m = /^[|(),=]/.exec(rest))) out.push({ kind: SIMPLE[m[0]] ?? 'pipe', value: m[0], pos: i });
    else if (rest.startsWith("'")) throw new TemplateError(source, i, 'character constants are not supported');
    else if (rest.startsWith('"')) throw new TemplateError(source, i, 'unterminated string');
    else throw new TemplateError(source, i, `unexpected "${rest[0] ?? ''}" in action`);
    i += m[0].length;
    const last = out[out.length - 1];
    if (last) last.end = i;
  }
}

/** Splits a template into tokens, applying `{{-` / `-}}` whitespace trimming and dropping comments. */
export function lex(source: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = source.slice(i, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    const trimBefore = open >= 0 && /^\{\{-\s/.test(source.slice(open, open + 4));
    if (trimBefore) text = text.replace(/\s+$/, '');
    if (text) out.push({ kind: 'text', value: text, pos: i });
    if (open < 0) break;
    let inner = open + (trimBefore ? 3 : 2);
    const commentStart = /^\s*\/\*/.exec(source.slice(inner));
    if (commentStart) {
      const end = source.indexOf('*/', inner);
      const close = end < 0 ? null : /^\s*(-?)}}/.exec(source.slice(end + 2));
      if (!close) throw new TemplateError(source, open, 'unclosed comment');
      trimNext = close[1] === '-';
      i = end + 2 + close[0].length;
      continue;
    }
    out.push({ kind: 'open', value: '{{', pos: open });
    inner = lexAction(source, inner, out);
    trimNext = out[out.length - 1]?.value === '-}}';
    i = inner;
  }
  return out;
}
