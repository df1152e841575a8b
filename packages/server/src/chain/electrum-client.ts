/**
 * A small Electrum protocol client: newline-delimited JSON-RPC 2.0 over TCP or TLS.
 *
 * It keeps one connection up for as long as it lives: `server.version` first on every connection,
 * then the subscriptions it has been asked for (a server forgets them with the connection), then the
 * requests that waited. A closed socket is reopened with exponential backoff; a periodic
 * `server.ping` finds connections that died silently (NAT timeouts, suspended laptops).
 * Requests made while disconnected wait for the connection, within their timeout.
 */
import { connect as connectTcp, isIP, type Socket } from "node:net";
import { type ConnectionOptions, connect as connectTls } from "node:tls";

export interface ElectrumClientOptions {
  host: string;
  port: number;
  /** true: TLS with the system's trust store; an object: node:tls options (e.g. `{ ca }` for a self-signed server). */
  tls?: boolean | ConnectionOptions;
  clientName?: string;
  /** Also the connect timeout. */
  requestTimeoutMs?: number;
  pingIntervalMs?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** Called with errors thrown by listeners, which must not break the message loop. */
  onListenerError?: (err: unknown) => void;
}

/** The server answered a request with an error. */
export class ElectrumRpcError extends Error {
  constructor(
    readonly code: number,
    /** The server's message. */
    readonly reason: string,
    readonly method: string,
  ) {
    super(`${method}: ${reason} (code ${code})`);
    this.name = "ElectrumRpcError";
  }
}

/** The request got no answer: not connected in time, timed out, connection lost, or client closed. */
export class ElectrumTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ElectrumTransportError";
  }
}

export interface ElectrumCall {
  method: string;
  params?: unknown[];
}

interface Pending {
  call: ElectrumCall;
  resolve: (result: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** Still waiting for a connection: gets sent once one is ready. */
  queued: boolean;
}

const PROTOCOL_VERSION = "1.4";

export class ElectrumClient {
  private readonly opts: Required<Omit<ElectrumClientOptions, "tls">> & Pick<ElectrumClientOptions, "tls">;
  private socket: Socket | undefined;
  private ready = false;
  private closed = false;
  private everConnected = false;
  private attempts = 0;
  private nextId = 1;
  private buffer = "";
  private readonly pending = new Map<number, Pending>();
  /** method + JSON params -> call, re-sent on every new connection. */
  private readonly subscriptions = new Map<string, ElectrumCall>();
  private readonly notificationListeners = new Set<(method: string, params: unknown[]) => void>();
  private readonly connectListeners = new Set<(event: { reconnected: boolean }) => void>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(options: ElectrumClientOptions) {
    this.opts = {
      host: options.host,
      port: options.port,
      tls: options.tls,
      clientName: options.clientName ?? "btpay",
      requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
      pingIntervalMs: options.pingIntervalMs ?? 60_000,
      reconnectMinMs: options.reconnectMinMs ?? 500,
      reconnectMaxMs: options.reconnectMaxMs ?? 30_000,
      onListenerError: options.onListenerError ?? (() => {}),
    };
    this.open();
  }

  /** True between a finished handshake and the socket closing. */
  get connected(): boolean {
    return this.ready;
  }

  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [result] = this.enqueue([{ method, params }]);
    return result as Promise<T>;
  }

  /**
   * Sends the calls together, each settling on its own. They are pipelined (one line each, in one
   * write) rather than a JSON array: as fast over one connection, and every server version takes it.
   */
  batch(calls: readonly ElectrumCall[]): Promise<PromiseSettledResult<unknown>[]> {
    if (calls.length === 0) return Promise.resolve([]);
    return Promise.allSettled(this.enqueue(calls));
  }

  /** Notifications (`method` is the subscription's method, as the protocol sends them). Returns the remover. */
  onNotification(listener: (method: string, params: unknown[]) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  /** Each finished handshake (after the subscriptions were re-sent). Returns the remover. */
  onConnect(listener: (event: { reconnected: boolean }) => void): () => void {
    this.connectListeners.add(listener);
    return () => this.connectListeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.failPending(
      () => true,
      (p) => new ElectrumTransportError(`${p.call.method}: client closed`),
    );
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.destroy();
    });
  }

  private enqueue(calls: readonly ElectrumCall[]): Promise<unknown>[] {
    const ids: number[] = [];
    const promises = calls.map((call) => {
      this.track(call);
      const id = this.nextId++;
      ids.push(id);
      return new Promise<unknown>((resolve, reject) => {
        if (this.closed) return reject(new ElectrumTransportError("client closed"));
        const timer = setTimeout(() => {
          this.pending.delete(id);
          const state = this.ready ? "no answer" : "not connected";
          reject(new ElectrumTransportError(`${call.method}: ${state} within ${this.opts.requestTimeoutMs} ms`));
        }, this.opts.requestTimeoutMs);
        this.pending.set(id, { call, resolve, reject, timer, queued: true });
      });
    });
    if (this.ready) this.send(ids);
    return promises;
  }

  /** Remembers subscriptions to re-send after reconnecting; `x.unsubscribe` forgets `x.subscribe`. */
  private track({ method, params = [] }: ElectrumCall): void {
    if (method.endsWith(".unsubscribe")) {
      this.subscriptions.delete(key(`${method.slice(0, -".unsubscribe".length)}.subscribe`, params));
    } else if (method.endsWith(".subscribe")) {
      this.subscriptions.set(key(method, params), { method, params });
    }
  }

  private send(ids: number[]): void {
    const lines = [];
    for (const id of ids) {
      const entry = this.pending.get(id);
      if (!entry?.queued) continue; // timed out meanwhile
      entry.queued = false;
      lines.push(line(id, entry.call));
    }
    if (lines.length > 0) this.socket?.write(lines.join(""));
  }

  private open(): void {
    const { host, port, tls } = this.opts;
    const socket = tls
      ? // SNI carries host names only (RFC 6066); for an IP, pass `servername` to verify the certificate against.
        connectTls({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(tls === true ? {} : tls) })
      : connectTcp({ host, port });
    this.socket = socket;
    this.buffer = "";
    socket.setEncoding("utf8");
    const connectTimer = setTimeout(() => socket.destroy(), this.opts.requestTimeoutMs);
    socket.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(connectTimer);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 30_000);
      void this.handshake(socket);
    });
    socket.on("data", (chunk: string) => this.onData(socket, chunk));
    socket.on("error", () => {}); // "close" follows; pending requests learn of it there
    socket.on("close", () => {
      clearTimeout(connectTimer);
      if (this.socket === socket) this.onClose();
    });
  }

  private async handshake(socket: Socket): Promise<void> {
    // Written straight to the socket: the queue waits for `ready`, which this handshake sets.
    const direct = (calls: ElectrumCall[]) => {
      const ids = calls.map(() => this.nextId++);
      const results = calls.map((call, i) => this.expectAnswer(ids[i]!, call));
      socket.write(calls.map((call, i) => line(ids[i]!, call)).join(""));
      return results;
    };
    try {
      await direct([{ method: "server.version", params: [this.opts.clientName, PROTOCOL_VERSION] }])[0];
      // Those still queued are sent with the queue.
      const queued = new Set(
        [...this.pending.values()].filter((p) => p.queued).map((p) => key(p.call.method, p.call.params)),
      );
      const subscriptions = [...this.subscriptions.entries()].filter(([k]) => !queued.has(k)).map(([, call]) => call);
      // Individual failures are left to the callers' next subscribe; a lost connection rejects them all.
      if (subscriptions.length > 0) {
        const outcomes = await Promise.allSettled(direct(subscriptions));
        const lost = outcomes.find((o) => o.status === "rejected" && o.reason instanceof ElectrumTransportError);
        if (lost) throw (lost as PromiseRejectedResult).reason;
      }
    } catch (err) {
      // A server that refuses the handshake (rate limit, version) would refuse the waiting requests too.
      if (err instanceof ElectrumRpcError) {
        this.failPending(
          (p) => p.queued,
          (p) => new ElectrumRpcError(err.code, err.reason, p.call.method),
        );
      }
      socket.destroy();
      return;
    }
    if (socket !== this.socket || socket.destroyed) return;
    this.ready = true;
    this.attempts = 0;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.pingTimer = setInterval(() => this.ping(socket), this.opts.pingIntervalMs);
    this.pingTimer.unref();
    this.send([...this.pending.entries()].filter(([, p]) => p.queued).map(([id]) => id));
    for (const listener of this.connectListeners) this.callListener(() => listener({ reconnected }));
  }

  private expectAnswer(id: number, call: ElectrumCall): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ElectrumTransportError(`${call.method}: no answer within ${this.opts.requestTimeoutMs} ms`));
      }, this.opts.requestTimeoutMs);
      this.pending.set(id, { call, resolve, reject, timer, queued: false });
    });
  }

  private ping(socket: Socket): void {
    this.request("server.ping").catch((err) => {
      // No answer in time: the connection is dead even if the socket does not know yet.
      if (err instanceof ElectrumTransportError && !this.closed) socket.destroy();
    });
  }

  private onData(socket: Socket, chunk: string): void {
    if (socket !== this.socket) return;
    this.buffer += chunk;
    let newline = this.buffer.indexOf("\n");
    while (newline >= 0) {
      const line = this.buffer.slice(0, newline).trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line) {
        let message: unknown;
        try {
          message = JSON.parse(line);
        } catch {
          socket.destroy(); // the stream is out of step; only a new connection recovers
          return;
        }
        for (const item of Array.isArray(message) ? message : [message]) this.onMessage(item);
      }
      newline = this.buffer.indexOf("\n");
    }
  }

  private onMessage(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { id, method, params, result, error } = message as Record<string, unknown>;
    if (typeof method === "string" && (id === undefined || id === null)) {
      const args = Array.isArray(params) ? params : [];
      for (const listener of this.notificationListeners) this.callListener(() => listener(method, args));
      return;
    }
    const entry = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!entry) return; // answered after its timeout
    this.pending.delete(id as number);
    clearTimeout(entry.timer);
    if (error !== undefined && error !== null) {
      const { code, message: text } = error as { code?: unknown; message?: unknown };
      entry.reject(new ElectrumRpcError(Number(code ?? 0), String(text ?? "error"), entry.call.method));
    } else {
      entry.resolve(result);
    }
  }

  private onClose(): void {
    this.ready = false;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    // Requests on the wire can no longer be answered; queued ones wait for the next connection.
    this.failPending(
      (p) => !p.queued,
      (p) => new ElectrumTransportError(`${p.call.method}: connection closed`),
    );
    if (this.closed) return;
    const delay = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectMinMs * 2 ** this.attempts);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => this.open(), delay);
    this.reconnectTimer.unref();
  }

  private failPending(which: (p: Pending) => boolean, error: (p: Pending) => Error): void {
    for (const [id, entry] of this.pending) {
      if (!which(entry)) continue;
      this.pending.delete(id);
      clearTimeout(entry.timer);
      entry.reject(error(entry));
    }
  }

  private callListener(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.onListenerError(err);
    }
  }
}

function line(id: number, { method, params = [] }: ElectrumCall): string {
  return `${JSON.stringify({ jsonrpc: "2.0", method, params, id })}\n`;
}

const key = (method: string, params: unknown[] = []) => `${method} ${JSON.stringify(params)}`;
