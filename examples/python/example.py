"""The manual's example queries, run with gql against a running khartoum-graphql server.

    python examples/python/example.py http://127.0.0.1:8000/graphql

It reads every ```graphql block of docs/querying.md and docs/journalists.md (the examples that
GraphiQL shows as tabs), fetches the schema by introspection so that gql checks each document
against it before sending it, and runs each one. Then it pages through every meeting with the
MeetingsPage query, following pageInfo.endCursor until hasNextPage is false. It prints one line
per query and, last, a JSON summary (what tests/api/python_client.rs reads).
"""

import json
import pathlib
import re
import sys

from gql import Client, gql
from gql.transport.requests import RequestsHTTPTransport

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [ROOT / "docs" / "querying.md", ROOT / "docs" / "journalists.md"]


def manual_queries():
    """Every ```graphql block of the pages that hold the examples, in their order."""
    blocks = []
    for page in PAGES:
        blocks += re.findall(r"```graphql\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    return blocks


def operation_name(document):
    """The name of a document's operation, or None for an anonymous one."""
    match = re.match(r"\s*(?:query|mutation|subscription)\s+(\w+)", document)
    return match.group(1) if match else None


def all_meetings(client, meetings_page):
    """Every meeting, by following the MeetingsPage query's cursor."""
    seen, after, total = [], None, None
    while True:
        page = client.execute(meetings_page, variable_values={"after": after})["meetings"]
        total = page["totalCount"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen, total
        after = page["pageInfo"]["endCursor"]


def main(url):
    transport = RequestsHTTPTransport(url=url, timeout=30)
    with Client(transport=transport, fetch_schema_from_transport=True) as client:
        queries = manual_queries()
        meetings_page = None
        for text in queries:
            document = gql(text)
            name = operation_name(text)
            data = client.execute(document)
            print(f"{name or '(anonymous)'}: {', '.join(sorted(data))}")
            if name == "MeetingsPage":
                meetings_page = document
        if meetings_page is None:
            sys.exit("the manual has no MeetingsPage query")
        meetings, total = all_meetings(client, meetings_page)
        slugs = {m["slug"] for m in meetings}
        print(f"paged {len(meetings)} meetings ({len(slugs)} distinct) of {total}")
        print(json.dumps({"operations": len(queries), "meetings": len(meetings), "distinct": len(slugs), "totalCount": total}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} GRAPHQL_URL")
    main(sys.argv[1])
