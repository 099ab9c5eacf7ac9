export { startGateway, type RunningGateway, type GatewayStats, type GatewayLogger } from './gateway';
export { loadConfig, parseConfig, type GatewayConfig, type GatewayConfigInput } from './config';
export { Journal } from './journal';
export { deviceSigner, signingPayload, batchIdFor, type SignedBatch, type GatewayReading } from './signing';
export {
  startSimulator,
  type SimulatorOptions,
  type RunningSimulator,
  MODBUS_MAP,
  OPCUA_NODES,
} from './simulator/index';
