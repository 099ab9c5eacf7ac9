import { FactorySimulation, type FactoryOptions } from './factory';
import { startModbusSimulator } from './modbus';
import { startOpcuaSimulator } from './opcua';

export { FactorySimulation, type FactoryOptions, type SimPoint } from './factory';
export { MODBUS_MAP } from './modbus';
export { OPCUA_NODES } from './opcua';

export interface SimulatorOptions extends FactoryOptions {
  modbusPort: number;
  opcuaPort: number;
}

export interface RunningSimulator {
  sim: FactorySimulation;
  modbusPort: number;
  opcuaEndpoint: string;
  stop(): Promise<void>;
}

/** Starts the factory simulation behind a real Modbus TCP server and a real OPC UA server. */
export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const sim = new FactorySimulation(opts);
  const modbus = await startModbusSimulator(sim, opts.modbusPort);
  const opcua = await startOpcuaSimulator(sim, opts.opcuaPort).catch(async (err) => {
    await modbus.close();
    throw err;
  });
  return {
    sim,
    modbusPort: modbus.port,
    opcuaEndpoint: opcua.endpoint,
    stop: async () => {
      await Promise.allSettled([modbus.close(), opcua.close()]);
    },
  };
}
