#!/usr/bin/env python3
"""The request mixes of bench/soak, written as files for bench/lib/check.lua (BENCH_MIX).

    soak_mix.py valid README.md OUTDIR    every ```graphql block of the README, as a POST and a GET
    soak_mix.py hostile OUTDIR            the hostile requests

Each writes OUTDIR/mix.tsv (METHOD<tab>PATH<tab>BODY-FILE or -[<tab>Name: value]...) and the body
files it names, and prints one line per request kind on stderr. Standard library only.
"""

import json
import os
import re
import sys
import urllib.parse


class Mix:
    def __init__(self, outdir):
        self.outdir = outdir
        os.makedirs(outdir, exist_ok=True)
        self.lines = []

    def add(self, name, method, path, body=None, headers=()):
        if body is None:
            body_file = "-"
        else:
            body_file = os.path.join(self.outdir, f"body-{len(self.lines):03d}.bin")
            with open(body_file, "wb") as f:
                f.write(body if isinstance(body, bytes) else body.encode())
        for h in headers:
            assert "\t" not in h and ":" in h, h
        assert "\t" not in path and "\n" not in path, path
        self.lines.append("\t".join([method, path, body_file, *headers]))
        size = len(body) if body is not None else 0
        print(f"  {name}: {method} {path[:60]}{'...' if len(path) > 60 else ''} ({size} bytes of body)", file=sys.stderr)

    def write(self):
        with open(os.path.join(self.outdir, "mix.tsv"), "w") as f:
            f.write("\n".join(self.lines) + "\n")


def graphql_post(query, **extra):
    return json.dumps({"query": query, **extra})


JSON = "Content-Type: application/json"


def valid(readme, outdir):
    """Every ```graphql block of the README that is a query, as a POST and as a GET."""
    text = open(readme, encoding="utf-8").read()
    blocks = re.findall(r"^```graphql\n(.*?)^```", text, flags=re.S | re.M)
    mix = Mix(outdir)
    kept = 0
    for i, block in enumerate(blocks):
        first = re.sub(r"#[^\n]*", "", block).strip().split(None, 1)[0] if block.strip() else ""
        # Mutations and subscriptions are skipped: the soak's store stays the seeded one, so every
        # read's answer stays valid, and a subscription does not answer over plain HTTP.
        if first.startswith("mutation") or first.startswith("subscription"):
            print(f"  README block {i + 1}: skipped ({first})", file=sys.stderr)
            continue
        kept += 1
        mix.add(f"README block {i + 1} (POST)", "POST", "/graphql", graphql_post(block), [JSON])
        mix.add(f"README block {i + 1} (GET)", "GET", "/graphql?query=" + urllib.parse.quote(block, safe=""))
    if kept < 5:
        sys.exit(f"soak_mix: only {kept} query blocks in {readme}; expected the README's example queries")
    mix.write()


def hostile(outdir):
    """Hostile requests. Each should get a 4xx (408 for one stopped at the time limit), or a 200
    whose body has errors, or a 200 within every limit."""
    mix = Mix(outdir)
    # Deep nesting: Meeting.related.meeting, 40 levels.
    deep = "slug"
    for _ in range(40):
        deep = f"related {{ meeting {{ {deep} }} }}"
    mix.add("deep nesting", "POST", "/graphql", graphql_post(f'{{ meeting(slug: "2022-07-mombasa-skills-mobility") {{ {deep} }} }}'), [JSON])
    mix.add("huge first", "POST", "/graphql", graphql_post("{ meetings(first: 1000000000) { nodes { slug } } }"), [JSON])
    aliases = " ".join(f"a{i}: meetings(first: 100) {{ nodes {{ slug title }} }}" for i in range(1000))
    mix.add("alias flood", "POST", "/graphql", graphql_post("{ " + aliases + " }"), [JSON])
    mix.add("malformed JSON", "POST", "/graphql", '{"query": "{ dataset { version } }"', [JSON])
    mix.add("10 MB body", "POST", "/graphql", graphql_post("{ dataset { version } }" + " " * (10 * 1024 * 1024)), [JSON])
    mix.add("batch of 1000", "POST", "/graphql", json.dumps([{"query": "{ dataset { version } }"}] * 1000), [JSON])
    mix.add("text/plain POST", "POST", "/graphql", graphql_post("{ dataset { version } }"), ["Content-Type: text/plain"])
    mutation = 'mutation { deleteMeeting(slug: "2022-07-mombasa-skills-mobility") { slug } }'
    mix.add("mutation by GET", "GET", "/graphql?query=" + urllib.parse.quote(mutation, safe=""))
    mix.add("unauthenticated mutation", "POST", "/graphql", graphql_post(mutation), [JSON])
    mix.add("invalid cursor", "POST", "/graphql", graphql_post('{ meetings(first: 5, after: "not-a-cursor") { nodes { slug } } }'), [JSON])
    cyclic = "query { ...A } fragment A on Query { dataset { version } ...B } fragment B on Query { ...A }"
    mix.add("cyclic fragments", "POST", "/graphql", graphql_post(cyclic), [JSON])
    spreads = " ".join(["...F"] * 1000)
    mix.add("fragment spread x1000", "POST", "/graphql", graphql_post(f"{{ {spreads} }} fragment F on Query {{ meetings(first: 100) {{ nodes {{ slug }} }} }}"), [JSON])
    directives = " ".join(["@include(if: true)"] * 1000)
    mix.add("directive flood", "POST", "/graphql", graphql_post(f"{{ dataset {directives} {{ version }} }}"), [JSON])
    mix.add("invalid UTF-8", "POST", "/graphql", b'{"query": "{ search(text: \\"\xff\xfe\xc3\\") { __typename } }"}', [JSON])
    mix.add("unknown operationName", "POST", "/graphql", graphql_post("query A { dataset { version } }", operationName="B"), [JSON])
    mix.add("wrong variable type", "POST", "/graphql",
            graphql_post("query($n: Int) { meetings(first: $n) { nodes { slug } } }", variables={"n": "many"}), [JSON])
    mix.add("unknown enum", "POST", "/graphql", graphql_post("{ meetings(orderBy: SIDEWAYS) { nodes { slug } } }"), [JSON])
    mix.add("search text over 200 bytes", "POST", "/graphql", graphql_post('{ search(text: "' + "x" * 5000 + '") { __typename } }'), [JSON])
    mix.add("no JSON acceptable", "POST", "/graphql", graphql_post("{ dataset { version } }"), [JSON, "Accept: application/xml"])
    mix.add("empty body", "POST", "/graphql", "", [JSON])
    mix.add("query not a string", "POST", "/graphql", json.dumps({"query": 42}), [JSON])
    # Lists without `first`, nested: each counts by the longest it is in the data, so the cost
    # model refuses what would answer hundreds of megabytes.
    nested = "slug"
    for _ in range(5):
        nested = f"chairmanships {{ meetings {{ {nested} }} }}"
    mix.add("nested plain lists", "POST", "/graphql", graphql_post(f"{{ processes {{ {nested} }} }}"), [JSON])
    four = " ".join(f"a{i}: processes {{ {nested} }}" for i in range(4))
    mix.add("four aliases of nested plain lists", "POST", "/graphql", graphql_post(f"{{ {four} }}"), [JSON])
    # CPU-bound within every limit: fifty aggregates, each reading every meeting; a new text each
    # time (check.lua fills in __N__), so that no answer comes from a cache.
    pairs = " ".join(f"a{i}: coHostPairs(first: 1) {{ count }}" for i in range(50))
    mix.add("fifty co-host aggregates", "POST", "/graphql", graphql_post(f"{{ {pairs} }} # __N__"), [JSON])
    many = " ".join(["@include(if: true)"] * 5000)
    mix.add("5000 directives on the operation", "POST", "/graphql", graphql_post(f"query Q {many} {{ dataset {{ version }} }}"), [JSON])
    mix.add("5000 directives on a variable", "POST", "/graphql",
            graphql_post(f"query Q($n: Int {many}) {{ meetings(first: $n) {{ totalCount }} }}"), [JSON])
    mix.add("5000 directives on a fragment", "POST", "/graphql",
            graphql_post(f"{{ ...F }} fragment F on Query {many} {{ dataset {{ version }} }}"), [JSON])
    mix.write()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "valid":
        valid(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "hostile":
        hostile(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
