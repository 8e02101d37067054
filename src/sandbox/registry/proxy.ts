// PLACEHOLDER: a bare pass-through; the registry helper replaces this file with ECR's rules.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { EcrBackend } from '../backend/ecr.js';
import type { RegistryFrontend } from '../server.js';

export interface RegistryProxyOptions {
  backend: EcrBackend;
  upstream: { host: string; port: number };
  /** The region whose registry this is (the sandbox's region). */
  region: string;
}

export function createRegistryProxy(options: RegistryProxyOptions): RegistryFrontend & { close(): Promise<void> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return {
    handle(req: IncomingMessage, res: ServerResponse) {
      const upstream = http.request(
        { host: options.upstream.host, port: options.upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
    async close() {
      agent.destroy();
    },
  };
}
