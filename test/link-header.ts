/** A strict RFC 8288 `Link` header parser for the Memento conformance tests. */
export interface Link {
  uri: string;
  params: Record<string, string>;
  rels: string[];
}

export function parseLinkHeader(header: string): Link[] {
  const links: Link[] = [];
  let position = 0;
  const fail = (what: string): never => {
    throw new Error(`bad Link header at ${position}: ${what} in ${JSON.stringify(header)}`);
  };
  const skipSpace = () => {
    while (/[ \t\n\r]/.test(header[position] ?? "")) position++;
  };
  while (position < header.length) {
    skipSpace();
    if (header[position] !== "<") fail("expected <");
    const close = header.indexOf(">", position);
    if (close < 0) fail("unterminated <");
    const uri = header.slice(position + 1, close);
    position = close + 1;
    const params: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (header[position] !== ";") break;
      position++;
      skipSpace();
      const name = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(position))?.[0] ?? fail("expected a parameter name");
      position += name.length;
      skipSpace();
      if (header[position] !== "=") fail("expected =");
      position++;
      skipSpace();
      let value = "";
      if (header[position] === '"') {
        position++;
        while (header[position] !== '"') {
          if (position >= header.length) fail("unterminated quoted string");
          if (header[position] === "\\") position++;
          value += header[position++];
        }
        position++;
      } else {
        value = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(position))?.[0] ?? fail("expected a token");
        position += value.length;
      }
      const key = name.toLowerCase();
      if (!(key in params)) params[key] = value;
    }
    links.push({ uri, params, rels: (params.rel ?? "").split(/\s+/).filter(Boolean) });
    skipSpace();
    if (position < header.length) {
      if (header[position] !== ",") fail("expected ,");
      position++;
    }
  }
  return links;
}

export const withRel = (links: Link[], rel: string): Link[] => links.filter((link) => link.rels.includes(rel));
