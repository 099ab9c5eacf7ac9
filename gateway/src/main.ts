import { loadConfig } from './config';
import { startGateway } from './gateway';

// `npm start -w gateway -- path/to/gateway.yaml`
const path = process.argv[2] ?? 'gateway.yaml';
const gw = await startGateway(loadConfig(path), {
  info: (msg, extra) => console.log(JSON.stringify({ level: 'info', msg, ...extra })),
  warn: (msg, extra) => console.warn(JSON.stringify({ level: 'warn', msg, ...extra })),
});
const stop = () => void gw.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
