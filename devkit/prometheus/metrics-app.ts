/**
 * A tiny app that Prometheus scrapes: /metrics in the text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/) with http_requests_total counters by code.
 * Every scrape counts `requestsPerScrape` more requests, split by the error ratio the test sets, so
 * rate(...) over a few scrapes gives that ratio exactly.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export class MetricsApp {
  errorRatio = 0;
  requestsPerScrape = 100;
  scrapes = 0;
  private ok = 0;
  private errors = 0;
  url = '';

  private readonly server: http.Server;

  private constructor(app: string) {
    this.server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.scrapes++;
      const errors = Math.round(this.requestsPerScrape * this.errorRatio);
      this.errors += errors;
      this.ok += this.requestsPerScrape - errors;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        [
          '# HELP http_requests_total Requests served, by status code.',
          '# TYPE http_requests_total counter',
          `http_requests_total{app="${app}",code="200"} ${this.ok}`,
          `http_requests_total{app="${app}",code="500"} ${this.errors}`,
          '# HELP app_latency_p99_seconds The 99th percentile latency the test sets.',
          '# TYPE app_latency_p99_seconds gauge',
          `app_latency_p99_seconds{app="${app}"} 0.120`,
          '',
        ].join('\n'),
      );
    });
  }

  static async start(app = 'web-canary'): Promise<MetricsApp> {
    const self = new MetricsApp(app);
    await new Promise<void>((resolve) => self.server.listen(0, '127.0.0.1', resolve));
    self.url = `127.0.0.1:${(self.server.address() as AddressInfo).port}`;
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
