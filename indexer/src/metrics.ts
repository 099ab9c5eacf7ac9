import { createServer, type Server } from 'node:http';
import type { Status } from './indexer';

/** Prometheus text exposition of the indexer status. */
export function prometheusText(s: Status): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, value: number | null, type = 'gauge') => {
    lines.push(`# HELP opencep_indexer_${name} ${help}`, `# TYPE opencep_indexer_${name} ${type}`);
    lines.push(`opencep_indexer_${name} ${value ?? 'NaN'}`);
  };
  gauge('head_block', 'Latest block number seen on the node.', s.headBlock);
  gauge('checkpoint_block', 'Last block committed to the mirror.', s.checkpointBlock);
  gauge('lag_blocks', 'Blocks between the node head and the checkpoint.', s.lagBlocks);
  gauge('lag_seconds', 'Chain time between the node head and the checkpoint block.', s.lagSeconds);
  gauge('events_per_second', 'Events committed per second over the last 10 s.', s.eventsPerSecond);
  gauge('events_total', 'Events (logs) committed since the mirror was created.', s.eventsTotal, 'counter');
  gauge('reorgs_total', 'Reorgs rolled back.', s.reorgsTotal, 'counter');
  gauge('errors_total', 'Failed steps (retried or fatal) since start.', s.errorsTotal, 'counter');
  gauge('finality_depth', 'Configured finality depth in blocks.', s.finalityDepth);
  gauge(
    'up',
    'Whether the indexer loop is running (1) or stopped/failed (0).',
    s.phase === 'stopped' || s.phase === 'failed' ? 0 : 1,
  );
  gauge(
    'heads_websocket',
    'Whether new heads arrive over a live WebSocket subscription (1) or by polling (0).',
    s.headSource === 'websocket' ? 1 : 0,
  );
  gauge(
    'last_error_timestamp_seconds',
    'Unix time of the last error, 0 if none.',
    s.lastErrorAt ? Math.floor(s.lastErrorAt.getTime() / 1000) : 0,
  );
  return `${lines.join('\n')}\n`;
}

/** Tiny HTTP endpoint: GET /metrics (Prometheus text) and GET /status (JSON). */
export async function startMetricsServer(port: number, status: () => Status): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(prometheusText(status()));
    } else if (req.url === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status()));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, resolve);
  });
  return server;
}
