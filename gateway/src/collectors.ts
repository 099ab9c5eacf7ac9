import ModbusRTU from 'modbus-serial';
import {
  AttributeIds,
  MessageSecurityMode,
  OPCUAClient,
  type ClientSession,
  SecurityPolicy,
} from 'node-opcua';
import type { ModbusSource, OpcuaSource } from './config';
import type { GatewayReading } from './signing';

/** raw × scale in exact decimal (scale is a decimal string such as "0.1"). */
export function scaleInt(raw: bigint, scale: string): string {
  const [i, f = ''] = scale.split('.');
  const digits = BigInt(`${i}${f}`) * raw;
  if (!f.length) return digits.toString();
  const neg = digits < 0n;
  const s = (neg ? -digits : digits).toString().padStart(f.length + 1, '0');
  const out = `${s.slice(0, -f.length)}.${s.slice(-f.length)}`.replace(/\.?0+$/, '');
  return (neg ? '-' : '') + (out || '0');
}

export function decodeRegisters(
  regs: readonly number[],
  type: ModbusSource['points'][number]['type'],
  wordOrder: 'big' | 'little',
): bigint | number {
  const buf = Buffer.alloc(4);
  const [a = 0, b = 0] = wordOrder === 'big' ? regs : [regs[1] ?? 0, regs[0] ?? 0];
  switch (type) {
    case 'uint16':
      return BigInt(a);
    case 'int16':
      return BigInt(a > 0x7fff ? a - 0x10000 : a);
    case 'uint32':
      buf.writeUInt16BE(a, 0);
      buf.writeUInt16BE(b, 2);
      return BigInt(buf.readUInt32BE(0));
    case 'int32':
      buf.writeUInt16BE(a, 0);
      buf.writeUInt16BE(b, 2);
      return BigInt(buf.readInt32BE(0));
    case 'float32':
      buf.writeUInt16BE(a, 0);
      buf.writeUInt16BE(b, 2);
      return buf.readFloatBE(0);
  }
}

export interface Collector {
  poll(): Promise<GatewayReading[]>;
  close(): Promise<void>;
}

export function modbusCollector(src: ModbusSource, onError: (e: unknown) => void): Collector {
  const client = new ModbusRTU();
  let connected = false;
  const words = (t: string) => (t === 'uint16' || t === 'int16' ? 1 : 2);
  return {
    async poll() {
      try {
        if (!connected || !client.isOpen) {
          await client.connectTCP(src.host, { port: src.port });
          client.setID(src.unitId);
          client.setTimeout(2000);
          connected = true;
        }
        const ts = new Date().toISOString();
        const out: GatewayReading[] = [];
        for (const p of src.points) {
          const res = await client.readHoldingRegisters(p.register, words(p.type));
          const raw = decodeRegisters(res.data, p.type, p.wordOrder);
          const value =
            typeof raw === 'bigint'
              ? scaleInt(raw, p.scale)
              : String(Number((raw * Number(p.scale)).toPrecision(7)));
          out.push({ meterCode: p.meterCode, ts, value, unit: p.unit });
        }
        return out;
      } catch (e) {
        connected = false;
        client.close(() => undefined);
        onError(e);
        return [];
      }
    },
    close: () => new Promise<void>((res) => (client.isOpen ? client.close(() => res()) : res())),
  };
}

export function opcuaCollector(src: OpcuaSource, onError: (e: unknown) => void): Collector {
  const client = OPCUAClient.create({
    applicationName: 'opencep-gateway',
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    connectionStrategy: { maxRetry: 0, initialDelay: 500, maxDelay: 2000 },
    keepSessionAlive: true,
  });
  let session: ClientSession | null = null;
  return {
    async poll() {
      try {
        if (!session) {
          await client.connect(src.endpoint);
          session = await client.createSession();
        }
        const ts = new Date().toISOString();
        const values = await session.read(
          src.points.map((p) => ({ nodeId: p.nodeId, attributeId: AttributeIds.Value })),
        );
        const out: GatewayReading[] = [];
        values.forEach((dv, i) => {
          const p = src.points[i]!;
          const v: unknown = dv.value?.value;
          if (dv.statusCode.isGood() && typeof v === 'number' && Number.isFinite(v)) {
            out.push({ meterCode: p.meterCode, ts, value: String(v), unit: p.unit });
          }
        });
        return out;
      } catch (e) {
        const s = session;
        session = null;
        await s?.close().catch(() => undefined);
        await client.disconnect().catch(() => undefined);
        onError(e);
        return [];
      }
    },
    async close() {
      await session?.close().catch(() => undefined);
      await client.disconnect().catch(() => undefined);
    },
  };
}
