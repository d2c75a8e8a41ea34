// A local OpenID provider for tests/studio/test_oidc.py: oauth2-mock-server on 127.0.0.1 (any free
// port, printed on the first line), its id_tokens saying the email address given as argument.
import { pathToFileURL } from "node:url";

const [email, nodeModules] = process.argv.slice(2);   // the address; .ci/node/node_modules
const { OAuth2Server } = await import(pathToFileURL(`${nodeModules}/oauth2-mock-server/dist/index.mjs`).href);
const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeTokenSigning", (token) => {
  token.payload.email = email;
  token.payload.email_verified = true;
});
await server.start(0, "127.0.0.1");
server.issuer.url = `http://127.0.0.1:${server.address().port}`;   // not "localhost": nothing but 127.0.0.1
console.log(server.issuer.url);
