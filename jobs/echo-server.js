// A TCP echo server for echo.yaml, which starts it as a service: each line a client sends comes
// back to it unchanged. Listens on 127.0.0.1:$PORT (default 8788).
import { createServer } from 'node:net';

const port = Number(process.env.PORT ?? 8788);
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(port, '127.0.0.1', () => console.log(`echo server on 127.0.0.1:${port}`));
