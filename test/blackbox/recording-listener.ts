import * as net from 'node:net';

/**
 * A TCP listener that records every connection made to it and answers nothing. The bad-input
 * table points every endpoint of the tasks at it (URLs, registries, API endpoint overrides, the
 * kube server, and HTTP(S)_PROXY / AGENT_PROXYURL for hosts that cannot be pointed), so a task
 * that contacts anything before its inputs are valid is seen, whatever protocol it speaks.
 */
export class RecordingListener {
  private readonly server = net.createServer((socket) => {
    this.connections += 1;
    this.firstContact?.abort();
    socket.once('data', (d: Buffer) => this.firstBytes.push(d.subarray(0, 80).toString('latin1')));
    // Drop the connection: a task that got here fails fast instead of waiting for an answer.
    setTimeout(() => socket.destroy(), 50);
  });
  connections = 0;
  readonly firstBytes: string[] = [];
  port = 0;
  private firstContact?: AbortController;

  /**
   * A signal that aborts at the next connection: a control run that only has to show it reached the listener
   * is cancelled there (runTaskLikeAgent's `signal`, SIGTERM as the agent sends) instead of retrying into the
   * dropped connections until its timeout.
   */
  nextConnection(): AbortSignal {
    this.firstContact = new AbortController();
    return this.firstContact.signal;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The proxy variables Node clients, the Azure SDK and our agent-proxy reader honour. */
  proxyEnv(): Record<string, string> {
    const url = `http://127.0.0.1:${this.port}`;
    return { HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url, AGENT_PROXYURL: url };
  }
}
