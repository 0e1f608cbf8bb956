/**
 * The real Prometheus server from Debian's `prometheus` package, on loopback, scraping the given targets every
 * `scrapeInterval` (a temporary config and TSDB directory, removed on close). Used instead of an emulator for
 * the PromQL path: the parser, the error envelope and rate() semantics are the real ones.
 *
 *   const prom = await PrometheusServer.start({ targets: [app.url], scrapeInterval: '1s' });
 *   prom.url  → http://127.0.0.1:<port>;  await prom.waitForSamples('up{job="app"} == 1');  await prom.close()
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool } from '../support/system-tool';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export class PrometheusServer {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-4000)));
  }

  static async start(opts: { targets: string[]; scrapeInterval?: string; job?: string }): Promise<PrometheusServer> {
    const binary = requireTool('prometheus');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prometheus-'));
    const interval = opts.scrapeInterval ?? '1s';
    const config = [
      'global:',
      `  scrape_interval: ${interval}`,
      `  evaluation_interval: ${interval}`,
      'scrape_configs:',
      `  - job_name: ${opts.job ?? 'app'}`,
      `    scrape_interval: ${interval}`,
      '    static_configs:',
      `      - targets: [${opts.targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const port = await freePort();
    const child = spawn(
      binary,
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(child, dir, `http://127.0.0.1:${port}`);
    await server.waitReady();
    return server;
  }

  private async waitReady(): Promise<void> {
    const until = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null)
        throw new Error(`prometheus exited with ${this.child.exitCode}: ${this.output}`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`prometheus was not ready within 30 s: ${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Instant query, as a test reads it directly. */
  async value(query: string): Promise<number | undefined> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = body.data?.result?.[0]?.value?.[1];
    return v === undefined ? undefined : Number(v);
  }

  /** Waits until `query` has a value that `ok` accepts (e.g. enough scrapes for a rate()). */
  async waitFor(query: string, ok: (v: number) => boolean = () => true, timeoutMs = 30_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.value(query);
      if (v !== undefined && ok(v)) return v;
      if (Date.now() > until)
        throw new Error(`prometheus: ${query} had no acceptable value within ${timeoutMs} ms (last ${v})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
