/**
 * WWW-Authenticate parsing (RFC 7235 auth-params), enough for registries:
 *   Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"
 *   Basic realm="basic-realm"
 */
export interface Challenge {
  scheme: string; // lower-cased: "bearer", "basic"
  params: Record<string, string>; // keys lower-cased
}

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const headers = Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const h of headers) out.push(...parseOne(h));
  return out;
}

// A tiny tokenizer: scheme token, then comma-separated key=value / key="quoted" pairs;
// a bare token after a comma starts the next challenge.
function parseOne(input: string): Challenge[] {
  const out: Challenge[] = [];
  let i = 0;
  let current: Challenge | undefined;
  const skipWs = () => {
    while (i < input.length && /[\s,]/.test(input[i]!)) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < input.length && /[^\s,=]/.test(input[i]!)) i++;
    return input.slice(start, i);
  };
  while (i < input.length) {
    skipWs();
    if (i >= input.length) break;
    const token = readToken();
    let j = i;
    while (j < input.length && input[j] === ' ') j++;
    if (input[j] === '=' && current) {
      i = j + 1;
      while (i < input.length && input[i] === ' ') i++;
      let value = '';
      if (input[i] === '"') {
        i++;
        while (i < input.length && input[i] !== '"') {
          if (input[i] === '\\' && i + 1 < input.length) i++;
          value += input[i];
          i++;
        }
        i++;
      } else {
        value = readToken();
      }
      current.params[token.toLowerCase()] = value;
    } else if (token) {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
    } else {
      i++;
    }
  }
  return out;
}

/** Scopes named by a challenge; distribution lists several space-separated in one param. */
export function challengeScopes(c: Challenge): string[] {
  const s = c.params['scope'];
  return s ? s.split(' ').filter(Boolean) : [];
}
