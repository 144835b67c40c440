// Pages through every meeting with Apollo Client, the way a "load more" button does, and checks
// that the cache merged the pages into one list. Then sends a query by hash with Apollo's
// PersistedQueryLink, twice: once with automatic persisted queries (hash alone, then the text when
// the server does not know it yet) and once by the hash graphql-codegen gave the document, which
// a server started with `--trusted-documents src/gql/persisted-documents.json` knows already.
//
//     node dist/main.js http://127.0.0.1:8000/graphql
//
// MeetingsPage is the manual's operation, typed by graphql-codegen (src/gql/). The cache's
// `relayStylePagination` keeps one `meetings` list per filter and order, and appends each page's
// `edges` to it. The last line printed is a JSON summary that tests/api/typescript_client.rs reads.
import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { relayStylePagination } from '@apollo/client/utilities';
import { MeetingsPageDocument, type MeetingsPageQuery } from './gql/graphql.js';

const url = process.argv[2];
if (!url) {
  console.error('usage: node dist/main.js GRAPHQL_URL');
  process.exit(2);
}

const client = new ApolloClient({
  link: new HttpLink({ uri: url }),
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { meetings: relayStylePagination(['filter', 'orderBy']) } } },
  }),
});

// Each page goes to the network: the cache's merged list would otherwise answer the next one.
let after: string | null = null;
let pages = 0;
let totalCount = 0;
for (;;) {
  const { data }: { data?: MeetingsPageQuery } = await client.query({
    query: MeetingsPageDocument,
    variables: { after },
    fetchPolicy: 'network-only',
  });
  if (!data) throw new Error('a page came back without data');
  pages += 1;
  totalCount = data.meetings.totalCount;
  // The answer is read back from the cache, so it already holds every page so far.
  console.log(`after page ${pages}: ${data.meetings.edges.length} meetings in the cache`);
  if (!data.meetings.pageInfo.hasNextPage) break;
  after = data.meetings.pageInfo.endCursor ?? null;
}

// What a component reading the first page's query now sees: every page, merged in order.
const merged = client.readQuery({ query: MeetingsPageDocument, variables: { after: null } });
const edges = merged?.meetings.edges ?? [];
const ids = new Set(edges.map((edge) => edge.node.id));
const first = edges[0]?.node;
console.log(`merged ${edges.length} meetings (${ids.size} distinct ids) of ${totalCount}; newest: ${first?.startDate} ${first?.title}`);

// Whether each request carried the query text or its hash alone, and, for a GET, that it was one.
const sent: string[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  if ((init?.method ?? 'GET').toUpperCase() === 'GET') {
    sent.push(new URL(String(input)).searchParams.has('query') ? 'GET text' : 'GET hash');
  } else {
    const body = JSON.parse(String(init?.body ?? '{}')) as { query?: string };
    sent.push(body.query ? 'text' : 'hash');
  }
  return fetch(input, init);
};

/** Runs a page of meetings (MeetingsPage unless told) `times` times through a PersistedQueryLink;
 * returns what each request sent. */
async function persisted(link: PersistedQueryLink, times: number, query = MeetingsPageDocument): Promise<string[]> {
  sent.length = 0;
  const apq = new ApolloClient({ link: link.concat(new HttpLink({ uri: url, fetch: recordingFetch })), cache: new InMemoryCache() });
  for (let i = 0; i < times; i++) {
    const { data } = await apq.query({ query, variables: { after: null }, fetchPolicy: 'network-only' });
    if (data?.meetings.edges.length !== 20) throw new Error('a persisted query did not answer the first page');
  }
  return [...sent];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const automatic = await persisted(new PersistedQueryLink({ sha256 }), 2);
// The CDN-friendly form: a hash alone by GET, which a cache in front of the server can keep. A
// document of its own, so that its hash is not known yet.
const MeetingIds = gql`
  query MeetingIds($after: String) {
    meetings(first: 20, after: $after) {
      edges {
        node {
          id
        }
      }
    }
  }
` as typeof MeetingsPageDocument;
const byGet = await persisted(new PersistedQueryLink({ sha256, useGETForHashedQueries: true }), 2, MeetingIds);
// graphql-codegen embeds each document's hash, 'sha256:<hex>', as `__meta__.hash`.
const codegenHash = (document: unknown) =>
  String((document as { __meta__?: { hash?: string } }).__meta__?.hash ?? '').replace(/^sha256:/, '');
const trusted = await persisted(new PersistedQueryLink({ generateHash: codegenHash }), 1);
console.log(
  `automatic persisted queries sent ${automatic.join(', ')}; by GET ${byGet.join(', ')}; codegen's hash sent ${trusted.join(', ')}`,
);
console.log(JSON.stringify({ pages, merged: edges.length, distinct: ids.size, totalCount, automatic, byGet, trusted }));
