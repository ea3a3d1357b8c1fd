// Lensgraph's GraphiQL: this page's own /graphql over HTTP, its subscriptions over WebSocket
// (graphql-transport-ws), with the explorer plugin and the headers editor. A file rather than an inline
// script, so that the page's Content-Security-Policy can say script-src 'self' and nothing more.
(function () {
  "use strict";

  var DEFAULT_QUERY = [
    "# Lensgraph: queries and mutations go to this server's",
    "# /graphql, subscriptions over its WebSocket.",
    "#",
    "# To act as someone, sign in, then put the access token",
    "# (or an API key) in the Headers tab below:",
    '#   {"Authorization": "Bearer <accessToken>"}',
    "# Subscriptions send the same headers when they connect.",
    "#",
    "# mutation {",
    '#   login(input: {email: "you@example.com", password: "..."}) {',
    "#     accessToken userErrors { code message }",
    "#   }",
    "# }",
    "# (The README lists the accounts of `lensgraph serve --demo`.)",
    "",
    "{ viewer { email user { id username role } } }",
    "",
  ].join("\n");

  var endpoint = window.location.origin + window.location.pathname;
  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    subscriptionUrl: endpoint.replace(/^http/, "ws"),
    // The server answers with one JSON document (no @defer/@stream), so no multipart requests.
    enableIncrementalDelivery: false,
  });

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultQuery: DEFAULT_QUERY,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      // Bearer tokens and API keys stay in this tab's memory, not in localStorage.
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
    }),
  );
})();
