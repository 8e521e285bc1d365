// A small local site for crawl.yaml and mixed.yaml: `npm run demo-site` (127.0.0.1:8787).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8787);
const server = createServer((request, response) => {
  const url = request.url ?? '/';
  if (url === '/api/status') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: true }));
    return;
  }
  const page = /^\/pages\/(\d+)$/.exec(url);
  const size = page ? Number(page[1]) * 1000 : 500;
  if (url !== '/' && !page) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/html' });
  response.end('<p>' + 'x'.repeat(size) + '</p>');
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(
    `demo site on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
  );
});
