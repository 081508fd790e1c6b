import { join } from 'node:path';
import WebSocket from 'ws';
import { HEARTBEAT_PERIOD_MS } from '../../src/api/websocket-heartbeat';
import { startDaemon, type StartedDaemon } from './support/daemon';
import { tempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

interface Connection {
  socket: WebSocket;
  pings: number;
  closed: Promise<number>;
}

/**
 * The daemon pings graphql-ws clients (its own heartbeat, not graphql-ws's) and drops one that
 * does not answer, against the built daemon.
 */
describe('websocket heartbeat', () => {
  const dir = tempDir('e2e-websocket-heartbeat');
  let started: StartedDaemon;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    started = await startDaemon(
      dir.path,
      {
        repositories: { local: { location: join(dir.path, 'repo'), password: 'heartbeat-pw' } },
        backups: { docs: { paths: [dir.path], repositories: ['local'] } },
      },
      { entry: 'dist' },
    );
  });
  afterAll(async () => {
    sockets.forEach((s) => s.terminate());
    await started?.stop();
  });

  /** A graphql-ws connection, acknowledged; `autoPong: false` leaves the daemon's pings unanswered. */
  const connect = async (autoPong: boolean): Promise<Connection> => {
    const socket = new WebSocket(`ws://127.0.0.1:${started.port}/graphql`, 'graphql-transport-ws', {
      autoPong,
    });
    sockets.push(socket);
    const connection: Connection = {
      socket,
      pings: 0,
      closed: new Promise((resolve) => socket.once('close', (code) => resolve(code))),
    };
    socket.on('ping', () => connection.pings++);
    await new Promise((resolve) => socket.once('open', resolve));
    const acknowledged = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(JSON.parse(String(await acknowledged))).toEqual({ type: 'connection_ack' });
    return connection;
  };

  it(
    'drops a client that leaves a ping unanswered until its next turn and keeps one that answers',
    async () => {
      const answering = await connect(true);
      const silent = await connect(false);
      const connectedAt = Date.now();

      // terminated, not closed: a client that does not answer pings would not answer a close
      expect(await silent.closed).toBe(1006);
      const after = Date.now() - connectedAt;
      expect(silent.pings).toBe(1);
      expect(after).toBeGreaterThan(HEARTBEAT_PERIOD_MS);
      expect(after).toBeLessThan(2 * HEARTBEAT_PERIOD_MS + 2000);
      expect(answering.pings).toBeGreaterThanOrEqual(1);
      expect(answering.socket.readyState).toBe(WebSocket.OPEN);
      await waitFor(
        () =>
          started.daemon.stdout.some((line) =>
            line.includes('a websocket client that did not answer a ping was disconnected'),
          ),
        'the daemon logging the dropped client',
        5000,
      );
    },
    3 * HEARTBEAT_PERIOD_MS + 10_000,
  );
});
