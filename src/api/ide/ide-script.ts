/**
 * The browser script that starts GraphiQL on /graphql: queries and mutations over HTTP POST,
 * subscriptions over graphql-ws on the same path, both with the headers of the header editor
 * (the bearer token goes in `Authorization`, and from there into connection_init).
 */
export const IDE_SCRIPT = `'use strict';
(function () {
  var url = new URL('/graphql', window.location.href).href;
  var wsUrl = url.replace(/^http/, 'ws');
  var socket = null;
  var socketAuth = null;

  function authorizationOf(headers) {
    if (!headers) return undefined;
    for (var name in headers) {
      if (name.toLowerCase() === 'authorization') return headers[name];
    }
    return undefined;
  }

  // one websocket per token: a new token in the header editor opens a new connection
  function socketFor(auth) {
    if (!socket || socketAuth !== auth) {
      if (socket) socket.dispose();
      socketAuth = auth;
      socket = graphqlWs.createClient({
        url: wsUrl,
        connectionParams: auth ? { authorization: auth } : {},
        retryAttempts: 5,
      });
    }
    return socket;
  }

  function isSubscription(params) {
    try {
      var operation = GraphiQL.GraphQL.getOperationAST(
        GraphiQL.GraphQL.parse(params.query),
        params.operationName || undefined,
      );
      return !!operation && operation.operation === 'subscription';
    } catch (error) {
      return false;
    }
  }

  var DEFAULT_HEADERS = '{\\n  "Authorization": "Bearer "\\n}';
  // the header editor as last edited: GraphiQL's schema fetch can hold on to older headers
  var currentHeaders = JSON.parse(DEFAULT_HEADERS);
  var currentAuth = authorizationOf(currentHeaders);

  function makeFetcher() {
    return function fetcher(params, options) {
      var headers = Object.assign({}, (options && options.headers) || {}, currentHeaders);
      if (isSubscription(params)) {
        return socketFor(authorizationOf(headers)).iterate(params);
      }
      var all = Object.assign(
        { 'content-type': 'application/json', accept: 'application/json' },
        headers,
      );
      return fetch(url, { method: 'POST', headers: all, body: JSON.stringify(params) }).then(
        function (response) {
          return response.json();
        },
      );
    };
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();
  var pending = null;

  // A new token: a new fetcher, on which GraphiQL fetches the schema again (docs explorer,
  // completion), once typing has paused.
  function headersEdited(text) {
    var parsed;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return;
    }
    if (!parsed || typeof parsed !== 'object') return;
    currentHeaders = parsed;
    if (authorizationOf(parsed) === currentAuth) return;
    clearTimeout(pending);
    pending = setTimeout(function () {
      currentAuth = authorizationOf(currentHeaders);
      fetcher = makeFetcher();
      render();
    }, 500);
  }

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultEditorToolsVisibility: 'headers',
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: false,
        defaultHeaders: DEFAULT_HEADERS,
        onEditHeaders: headersEdited,
        defaultQuery:
          '# Put your token in the headers below; then run this with Ctrl-Enter.\\n' +
          '{\\n  status { version }\\n  jobs(first: 5) { edges { node { id operation state } } }\\n}\\n',
      }),
    );
  }
  render();
})();
`;
