// ferry's Go-template subset for `inspect --format`, against the outputs Go's
// text/template gives for the same template and data (worked out from Go's rules:
// fmt's %v, encoding/json's sorted map keys, "<no value>" for a missing map key).
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../src/cli/template/evaluate.js';
import { parseTemplate } from '../../../../src/cli/template/parser.js';
import { GoNil, GoStruct, GoTime } from '../../../../src/cli/template/values.js';
import { UsageError } from '../../../../src/errors.js';

function render(source: string, data: unknown): string {
  return evaluate(source, parseTemplate(source), data);
}

function failure(source: string, data: unknown): string {
  try {
    render(source, data);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${source} rendered without an error`);
}

const layer = (digest: string, size: number) =>
  new GoStruct('types.ImageInspectLayer', { MIMEType: 'application/vnd.oci.image.layer.v1.tar+gzip', Digest: digest, Size: size, Annotations: new GoNil('map') });

const image = new GoStruct('inspect.Output', {
  Name: 'registry.example/app',
  Tag: '',
  Digest: 'sha256:aaaa',
  RepoTags: ['v1', 'latest'],
  Created: new GoTime('2024-03-01T10:20:30.5Z'),
  DockerVersion: '',
  Labels: { version: '1.2', 'org.opencontainers.image.title': 'app', a: 'x<y' },
  Architecture: 'amd64',
  Variant: '',
  Os: 'linux',
  Layers: ['sha256:l1', 'sha256:l2'],
  LayersData: [layer('sha256:l1', 100), layer('sha256:l2', 2048)],
  Env: new GoNil('slice'),
});

describe('fields, functions and pipelines', () => {
  it.each([
    ['{{.Digest}}', 'sha256:aaaa'],
    ['{{.Name}}@{{.Digest}}', 'registry.example/app@sha256:aaaa'],
    ['{{.Architecture}}/{{.Os}}', 'amd64/linux'],
    ['{{len .Layers}}', '2'],
    ['{{len .LayersData}} {{len .Labels}} {{len .Env}} {{len .Name}}', '2 3 0 20'],
    ['{{range .RepoTags}}{{.}} {{end}}', 'v1 latest '],
    ['{{index .Labels "version"}}', '1.2'],
    ['{{index .Labels "missing"}}|', '|'],
    ['{{index .Labels "toString"}}|{{.Labels.toString}}', '|<no value>'],
    ['{{.Labels.version}}', '1.2'],
    ['{{.Labels.missing}}', '<no value>'],
    ['{{json .Labels}}', '{"a":"x<y","org.opencontainers.image.title":"app","version":"1.2"}'],
    ['{{json .RepoTags}} {{json .Env}}', '["v1","latest"] null'],
    ['{{.Labels | json}}', '{"a":"x<y","org.opencontainers.image.title":"app","version":"1.2"}'],
    ['{{.RepoTags}} {{.Env}} {{.Labels}}', '[v1 latest] [] map[a:x<y org.opencontainers.image.title:app version:1.2]'],
    ['{{.Created}}', '2024-03-01 10:20:30.5 +0000 UTC'],
    ['{{json .Created}}', '"2024-03-01T10:20:30.5Z"'],
    ['{{(index .LayersData 1).Size}}', '2048'],
    ['{{range $i, $l := .LayersData}}{{$i}}:{{$l.Digest}}:{{$l.Size}} {{end}}', '0:sha256:l1:100 1:sha256:l2:2048 '],
    ['{{range $l := .LayersData}}{{$l.Size}},{{end}}', '100,2048,'],
    ['{{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}', 'a=x<y;org.opencontainers.image.title=app;version=1.2;'],
    ['{{range .Env}}x{{else}}no env{{end}}', 'no env'],
    ['{{if .Labels.version}}v{{.Labels.version}}{{else}}none{{end}}', 'v1.2'],
    ['{{if .Variant}}{{.Variant}}{{else}}no variant{{end}}', 'no variant'],
    ['{{if eq .Architecture "arm64"}}arm{{else if eq .Architecture "amd64"}}x86{{else}}?{{end}}', 'x86'],
    ['{{with .Labels.version}}[{{.}}]{{end}}', '[1.2]'],
    ['{{with .Env}}x{{else}}empty{{end}}', 'empty'],
    ['{{join .RepoTags ","}}', 'v1,latest'],
    ['{{upper .Os}} {{lower "ABC"}} {{title "hello world"}}', 'LINUX abc Hello World'],
    ['{{truncate .Digest 9}}', 'sha256:aa'],
    ['{{printf "%s has %d layers" .Name (len .Layers)}}', 'registry.example/app has 2 layers'],
    ['{{printf "%-6s|%5d|%q" .Os 42 .Architecture}}', 'linux |   42|"amd64"'],
    ['{{print 1 2 "a" 3}}', '1 2a3'],
    ['{{$n := len .Layers}}{{if gt $n 1}}many{{end}}', 'many'],
    ['{{$x := "a"}}{{$x = "b"}}{{$x}}', 'b'],
    ['{{and .Name .Os}} {{or .Variant "none"}} {{not .Variant}}', 'linux none true'],
    ['{{- " trimmed " -}}  \n', ' trimmed '],
    ['a  {{- /* a comment */ -}}  b', 'ab'],
    ['{{`raw \\n`}}', 'raw \\n'],
    ['{{range 3}}{{.}}{{end}}', '012'],
    ['{{$}}', '{registry.example/app  sha256:aaaa [v1 latest] 2024-03-01 10:20:30.5 +0000 UTC  map[a:x<y org.opencontainers.image.title:app version:1.2] amd64  linux [sha256:l1 sha256:l2] [{application/vnd.oci.image.layer.v1.tar+gzip sha256:l1 100 map[]} {application/vnd.oci.image.layer.v1.tar+gzip sha256:l2 2048 map[]}] []}'],
  ])('%s', (source, expected) => {
    expect(render(source, image)).toBe(expected);
  });

  it('Go time strings keep their offset as the zone name, and a nil time prints <nil>', () => {
    expect(render('{{.}}', new GoTime('2024-03-01T10:20:30+02:00'))).toBe('2024-03-01 10:20:30 +0200 +0200');
    expect(render('{{.}}', new GoNil('pointer'))).toBe('<nil>');
  });

  it('json escapes as encoding/json does without HTML escaping', () => {
    expect(render('{{json .}}', { s: 'a\bb\fc\u2028<&>', t: '\\b' })).toBe('{"s":"a\\u0008b\\u000cc\\u2028<&>","t":"\\\\b"}');
  });

  it('variables declared in a block end with it', () => {
    expect(failure('{{if true}}{{$x := 1}}{{end}}{{$x}}', image)).toMatch(/undefined variable: \$x/);
  });
});

describe('one-line errors naming the construct and where it is', () => {
  it.each([
    ['{{define "x"}}{{end}}', /column 3: "\{\{define\}\}" is not supported/],
    ['{{template "x"}}', /column 3: "\{\{template\}\}" is not supported/],
    ['{{range .Layers}}{{break}}{{end}}', /column 20: "\{\{break\}\}" is not supported/],
    ['{{.Digest | sha}}', /column 13: function "sha" is not supported/],
    ['{{.Nope}}', /column 3: can't evaluate field Nope in type inspect.Output/],
    ['{{.Digest.Encoded}}', /can't evaluate field Encoded in type string/],
    ['{{index .Layers 5}}', /index: index out of range: 5/],
    ['{{len .Architecture.x}}', /can't evaluate field x in type string/],
    ['{{if .Os}}x', /column 3: \{\{if\}\} without \{\{end\}\}/],
    ['x{{end}}', /column 4: unexpected \{\{end\}\}/],
    ['{{.Os', /unclosed action/],
    ['{{"abc}}', /unterminated string/],
    ["{{'a'}}", /character constants are not supported/],
    ['{{eq .Os 1}}', /eq: incompatible types for comparison \(string, int\)/],
    ['{{.Os 1}}', /can't give arguments to a non-function \(\.Os\)/],
    ['{{}}', /empty action/],
    ['line one\n{{.Bad}}', /line 2, column 3: can't evaluate field Bad/],
    ['{{.constructor}}', /can't evaluate field constructor in type inspect.Output/],
    ['{{constructor}}', /function "constructor" is not supported/],
    ['{{toString .Os}}', /function "toString" is not supported/],
  ])('%s', (source, pattern) => {
    const message = failure(source, image);
    expect(message).toMatch(/^--format template, /);
    expect(message).toMatch(pattern);
    expect(message).not.toContain('\n');
  });
});
