import type { EventEmitter } from 'node:events';
import { ServerTCP } from 'modbus-serial';
import type { FactorySimulation } from './factory';

/**
 * Holding-register map of the simulated power meters (big-endian words, as most meters ship):
 *   0–1  E-MAIN   uint32  kWh × 10
 *   2–3  E-LINE1  uint32  kWh × 10
 *   4    E-LINE2  uint16  kWh, wraps at 65536 (a real 16-bit counter: the cleaner must see rollover)
 *   10–11 P-MAIN  float32 kW
 *   12–13 W-MAIN  uint32  m3 × 1000
 */
export const MODBUS_MAP = {
  'E-MAIN': { address: 0, type: 'uint32', scale: 0.1 },
  'E-LINE1': { address: 2, type: 'uint32', scale: 0.1 },
  'E-LINE2': { address: 4, type: 'uint16', scale: 1 },
  'P-MAIN': { address: 10, type: 'float32', scale: 1 },
  'W-MAIN': { address: 12, type: 'uint32', scale: 0.001 },
} as const;

function registers(sim: FactorySimulation): Uint16Array {
  const regs = new Uint16Array(64);
  const buf = Buffer.alloc(4);
  const byCode = new Map(sim.points().map((p) => [p.code, p.value]));
  for (const [code, m] of Object.entries(MODBUS_MAP)) {
    const v = byCode.get(code) ?? 0;
    if (m.type === 'uint16') {
      regs[m.address] = Math.floor(v / m.scale) % 65536;
    } else if (m.type === 'uint32') {
      buf.writeUInt32BE(Math.floor(v / m.scale) % 2 ** 32);
      regs[m.address] = buf.readUInt16BE(0);
      regs[m.address + 1] = buf.readUInt16BE(2);
    } else {
      buf.writeFloatBE(v);
      regs[m.address] = buf.readUInt16BE(0);
      regs[m.address + 1] = buf.readUInt16BE(2);
    }
  }
  return regs;
}

export interface ModbusSimulator {
  port: number;
  close(): Promise<void>;
}

export function startModbusSimulator(
  sim: FactorySimulation,
  port: number,
  host = '127.0.0.1',
): Promise<ModbusSimulator> {
  let cache: { at: number; regs: Uint16Array } | null = null;
  const regsNow = () => {
    // one snapshot per request burst keeps a multi-register read consistent
    const t = Date.now();
    if (!cache || t - cache.at > 20) cache = { at: t, regs: registers(sim) };
    return cache.regs;
  };
  const vector = {
    getHoldingRegister: (addr: number) => regsNow()[addr] ?? 0,
    getInputRegister: (addr: number) => regsNow()[addr] ?? 0,
    getCoil: () => false,
    getDiscreteInput: () => false,
    setRegister: () => undefined,
    setCoil: () => undefined,
  };
  return new Promise((resolve, reject) => {
    const server = new ServerTCP(vector, { host, port, unitID: 1, debug: false });
    // the typings only declare 'initialized'; the server also emits 'error' and 'socketError'
    const ee = server as unknown as EventEmitter;
    const onError = (err: Error) => reject(err);
    ee.once('initialized', () => {
      ee.off('error', onError);
      ee.on('error', () => undefined);
      resolve({
        port,
        close: () => new Promise<void>((res) => server.close(() => res())),
      });
    });
    ee.once('error', onError);
    ee.on('socketError', () => undefined);
  });
}
