import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { FakeClock } from '../../test/support/fake-clock';
import { waitFor } from '../../test/support/wait-for';
import {
  HEARTBEAT_PERIOD_MS,
  HEARTBEAT_TURN_MS,
  Heartbeat,
  type HeartbeatSocket,
} from './websocket-heartbeat';

const TURNS = HEARTBEAT_PERIOD_MS / HEARTBEAT_TURN_MS;

/** A socket that counts its pings and answers them when told to. */
class CountingSocket extends EventEmitter implements HeartbeatSocket {
  readonly OPEN = 1;
  readyState = 1;
  pings = 0;
  terminations = 0;
  /** `closesLater`: terminate() leaves it CLOSING, as `ws` does until the socket has closed */
  constructor(private readonly closesLater = false) {
    super();
  }
  get terminated(): boolean {
    return this.terminations > 0;
  }
  ping(): void {
    this.pings++;
  }
  terminate(): void {
    this.terminations++;
    this.readyState = 2;
    if (!this.closesLater) this.close();
  }
  close(): void {
    this.readyState = 3;
    this.emit('close');
  }
  pong(): void {
    this.emit('pong');
  }
}

describe('Heartbeat', () => {
  it('pings clients that connected together spread over the period, each once', () => {
    const clock = new FakeClock();
    const heartbeat = new Heartbeat(clock);
    const sockets = Array.from({ length: 2 * TURNS }, () => new CountingSocket());
    sockets.forEach((s) => heartbeat.add(s));

    const perTick: number[] = [];
    let before = 0;
    for (let tick = 0; tick < TURNS; tick++) {
      clock.advance(HEARTBEAT_TURN_MS);
      const total = sockets.reduce((n, s) => n + s.pings, 0);
      perTick.push(total - before);
      before = total;
    }
    expect(perTick).toEqual(new Array(TURNS).fill(2));
    expect(sockets.every((s) => s.pings === 1)).toBe(true);
  });

  it('pings a client first a whole period after it joined, when the turns are even', () => {
    const clock = new FakeClock();
    const heartbeat = new Heartbeat(clock);
    const socket = new CountingSocket();
    heartbeat.add(socket);
    clock.advance(HEARTBEAT_PERIOD_MS - HEARTBEAT_TURN_MS);
    expect(socket.pings).toBe(0);
    clock.advance(HEARTBEAT_TURN_MS);
    expect(socket.pings).toBe(1);
  });

  it('drops a client that did not answer by its next turn and keeps one that did', () => {
    const clock = new FakeClock();
    let dropped = 0;
    const heartbeat = new Heartbeat(clock, () => dropped++);
    const answering = new CountingSocket();
    const silent = new CountingSocket();
    heartbeat.add(answering);
    heartbeat.add(silent);

    clock.advance(HEARTBEAT_PERIOD_MS);
    expect([answering.pings, silent.pings]).toEqual([1, 1]);
    answering.pong();
    clock.advance(HEARTBEAT_PERIOD_MS);
    expect(silent.terminated).toBe(true);
    expect(answering.terminated).toBe(false);
    expect(answering.pings).toBe(2);
    expect(dropped).toBe(1);
    expect(heartbeat.clients).toBe(1);
  });

  it('keeps its timer only while it has clients', () => {
    const clock = new FakeClock();
    const heartbeat = new Heartbeat(clock);
    expect(clock.pending).toBe(0);
    const sockets = [new CountingSocket(), new CountingSocket()];
    sockets.forEach((s) => heartbeat.add(s));
    expect(clock.pending).toBe(1);
    sockets[0].terminate();
    expect(clock.pending).toBe(1);
    sockets[1].terminate();
    expect(clock.pending).toBe(0);
    const last = new CountingSocket();
    const another = new CountingSocket();
    heartbeat.add(last);
    heartbeat.add(another);
    heartbeat.stop();
    expect(clock.pending).toBe(0);
    // a client closing after the stop does not set the timer again
    last.terminate();
    expect(clock.pending).toBe(0);
  });

  it('wakes once a period for one client, not once a turn', () => {
    const clock = new FakeClock();
    let wakes = 0;
    const counted =
      (arm: (fn: () => void, ms: number) => () => void) => (fn: () => void, ms: number) =>
        arm(() => {
          wakes++;
          fn();
        }, ms);
    clock.setTimeout = counted(clock.setTimeout.bind(clock));
    clock.setInterval = counted(clock.setInterval.bind(clock));
    const heartbeat = new Heartbeat(clock);
    const socket = new CountingSocket();
    heartbeat.add(socket);
    for (let period = 0; period < 3; period++) {
      clock.advance(HEARTBEAT_PERIOD_MS);
      socket.pong();
    }
    expect(socket.pings).toBe(3);
    expect(wakes).toBe(3);
  });

  it('neither pings nor drops again a client that is closing, and forgets one that closed', () => {
    const clock = new FakeClock();
    let dropped = 0;
    const heartbeat = new Heartbeat(clock, () => dropped++);
    const silent = new CountingSocket(true);
    const leaving = new CountingSocket();
    heartbeat.add(silent);
    heartbeat.add(leaving);
    clock.advance(HEARTBEAT_PERIOD_MS);
    leaving.close();
    clock.advance(2 * HEARTBEAT_PERIOD_MS);
    expect([silent.pings, silent.terminations, dropped]).toEqual([1, 1, 1]);
    expect(leaving.pings).toBe(1);
    expect(heartbeat.clients).toBe(1); // the closing one, until its close
    silent.close();
    expect(heartbeat.clients).toBe(0);
    expect(clock.pending).toBe(0);
  });

  describe('on real websockets', () => {
    let server: WebSocketServer;
    const clients: WebSocket[] = [];

    beforeEach(async () => {
      server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
      await new Promise((resolve) => server.once('listening', resolve));
    });
    afterEach(async () => {
      clients.forEach((c) => c.terminate());
      clients.length = 0;
      await new Promise((resolve) => server.close(resolve));
    });

    const connect = async (options: { autoPong: boolean }) => {
      const { port } = server.address() as AddressInfo;
      const client = new WebSocket(`ws://127.0.0.1:${port}`, options);
      clients.push(client);
      const pings = { count: 0 };
      client.on('ping', () => pings.count++);
      await new Promise((resolve) => client.once('open', resolve));
      return { client, pings };
    };

    it('closes the connection of a client that does not answer pings', async () => {
      const clock = new FakeClock();
      const heartbeat = new Heartbeat(clock);
      server.on('connection', (socket) => heartbeat.add(socket));
      const answering = await connect({ autoPong: true });
      const silent = await connect({ autoPong: false });
      await waitFor(() => heartbeat.clients === 2, 'both clients joining');

      clock.advance(HEARTBEAT_PERIOD_MS);
      await waitFor(
        () => answering.pings.count === 1 && silent.pings.count === 1,
        'both clients pinged',
      );
      // the answering client's pong crosses the socket before its next turn
      await new Promise((resolve) => setTimeout(resolve, 100));
      const closed = new Promise((resolve) => silent.client.once('close', resolve));
      clock.advance(HEARTBEAT_PERIOD_MS);
      await closed;
      await waitFor(() => answering.pings.count === 2, 'the answering client pinged again');
      expect(answering.client.readyState).toBe(WebSocket.OPEN);
      // the server's side of the dropped socket closes after the client's
      await waitFor(() => heartbeat.clients === 1, 'the dropped client leaving its turn');
    });
  });
});
