import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const hex = z.string().regex(/^0x[0-9a-fA-F]{64}$/, '32-byte hex private key');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const decimalString = z.union([z.number(), z.string().regex(/^\d+(\.\d+)?$/)]).transform(String);

const modbusPoint = z.object({
  meterCode: z.string().min(1),
  /** holding register address (0-based) */
  register: z.number().int().min(0).max(65535),
  type: z.enum(['uint16', 'int16', 'uint32', 'int32', 'float32']),
  /** word order of 32-bit values */
  wordOrder: z.enum(['big', 'little']).default('big'),
  /** value = raw × scale, e.g. "0.1" for a register counting 0.1 kWh */
  scale: decimalString.default('1'),
  unit: z.string().min(1),
});

const opcuaPoint = z.object({
  meterCode: z.string().min(1),
  nodeId: z.string().min(1),
  unit: z.string().min(1),
});

export const GatewayConfigSchema = z.object({
  device: z.object({
    privateKey: hex,
    enterpriseId: uuid,
    deviceId: uuid,
  }),
  journalDir: z.string().min(1),
  push: z.object({
    mode: z.enum(['graphql', 'mqtt']),
    /** GraphQL endpoint (http://…/graphql) or MQTT broker URL (mqtt://…) */
    url: z.string().min(1),
    batchSize: z.number().int().min(1).max(10_000).default(1000),
    intervalMs: z.number().int().min(50).default(5000),
    timeoutMs: z.number().int().min(100).default(10_000),
  }),
  sources: z
    .array(
      z.discriminatedUnion('kind', [
        z.object({
          kind: z.literal('modbus'),
          host: z.string().default('127.0.0.1'),
          port: z.number().int().min(1).max(65535),
          unitId: z.number().int().min(0).max(255).default(1),
          pollMs: z.number().int().min(50).default(1000),
          points: z.array(modbusPoint).min(1),
        }),
        z.object({
          kind: z.literal('opcua'),
          endpoint: z.string().startsWith('opc.tcp://'),
          pollMs: z.number().int().min(50).default(1000),
          points: z.array(opcuaPoint).min(1),
        }),
      ]),
    )
    .min(1),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof GatewayConfigSchema>;
export type ModbusSource = Extract<GatewayConfig['sources'][number], { kind: 'modbus' }>;
export type OpcuaSource = Extract<GatewayConfig['sources'][number], { kind: 'opcua' }>;

export function parseConfig(input: unknown): GatewayConfig {
  return GatewayConfigSchema.parse(input);
}

/** Reads the YAML point map. Environment is not read here: the file is the whole configuration. */
export function loadConfig(path: string): GatewayConfig {
  return parseConfig(parse(readFileSync(path, 'utf8')));
}
