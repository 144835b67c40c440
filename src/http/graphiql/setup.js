// Starts GraphiQL on the page that src/http/graphiql/mod.rs renders. React, ReactDOM, GraphiQL and
// its Explorer plugin are the vendored UMD builds the page loads before this file; the configuration (endpoint, tabs,
// the headers placeholder) is JSON in the page's #graphiql-config element. Nothing is fetched
// from anywhere but this server.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('graphiql-config').textContent);
  var tabs = config.tabs;

  // The page opens the tabs marked `open` (the welcome tab and a few examples), so that every
  // title fits across the window. A link such as /graphql#example-the-chair-timeline opens that
  // example, open or not. GraphiQL shows its first default tab when the browser has no saved
  // tabs, and otherwise activates (or adds) the tab whose text equals the `query` prop: so the
  // chosen tab goes first and is also `query`.
  var match = /^#example-([a-z0-9-]+)$/.exec(window.location.hash);
  var chosen = 0;
  if (match) {
    for (var i = 0; i < tabs.length; i++) {
      if (tabs[i].slug === match[1]) chosen = i;
    }
  }
  // A link such as /graphql#query=<form-encoded query> (the landing page's map draws them)
  // opens that query in a tab of its own. The fragment never reaches the server.
  var linked = /^#query=/.test(window.location.hash)
    ? new URLSearchParams(window.location.hash.slice(1)).get('query')
    : null;
  if (linked) {
    tabs = [{ slug: 'linked', query: linked, open: true }].concat(tabs);
    chosen = 0;
  }
  var ordered = [tabs[chosen]].concat(tabs.filter(function (t, i) { return i !== chosen && t.open; }));

  var fetcher = GraphiQL.createFetcher({ url: new URL(config.endpoint, window.location.href).href });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: ordered.map(function (t) { return { query: t.query }; }),
      query: ordered[0].query,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      // A bearer token typed into the headers editor must not outlive the page.
      shouldPersistHeaders: false,
      // The Explorer (the vendored @graphiql/plugin-explorer): a query built by ticking fields.
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    })
  );

  // graphiql 4's editors (CodeMirror 5, without its placeholder add-on) show nothing when empty,
  // and the headers must stay valid JSON, so the explanation is an overlay on the empty editor.
  // The editor tools hold the variables editor and then the headers editor.
  var attempts = 0;
  var timer = window.setInterval(function () {
    var editors = document.querySelectorAll('.graphiql-editor-tool .graphiql-editor');
    var host = editors.length > 1 ? editors[1] : null;
    var cm = host && host.querySelector('.CodeMirror');
    if (!cm || !cm.CodeMirror) {
      if (++attempts > 300) window.clearInterval(timer);
      return;
    }
    window.clearInterval(timer);
    var note = document.createElement('div');
    note.className = 'khartoum-headers-placeholder';
    note.setAttribute('aria-hidden', 'true');
    note.textContent = config.headersPlaceholder;
    // Start where typed text starts: past the line-number gutter.
    var gutter = cm.CodeMirror.getGutterElement();
    note.style.left = (gutter ? gutter.offsetWidth : 0) + 4 + 'px';
    host.appendChild(note);
    var sync = function () { note.hidden = cm.CodeMirror.getValue().trim() !== ''; };
    cm.CodeMirror.on('change', sync);
    sync();
  }, 50);
})();
