import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, OPCUACertificateManager, OPCUAServer, Variant } from 'node-opcua';
import type { FactorySimulation } from './factory';

/** OPC UA nodes of the utilities (namespace 1, string ids): totals are Double registers. */
export const OPCUA_NODES: Record<string, { nodeId: string; unit: string }> = {
  'G-BOILER': { nodeId: 'ns=1;s=Factory.Gas.Boiler.Total', unit: 'Nm3' },
  'S-MAIN': { nodeId: 'ns=1;s=Factory.Steam.Main.Total', unit: 't' },
  'A-COMP': { nodeId: 'ns=1;s=Factory.Air.Compressors.Total', unit: 'Nm3' },
  'F-AIR': { nodeId: 'ns=1;s=Factory.Air.Compressors.Flow', unit: 'Nm3/h' },
  'F-STEAM': { nodeId: 'ns=1;s=Factory.Steam.Main.Flow', unit: 't/h' },
};

export interface OpcuaSimulator {
  port: number;
  endpoint: string;
  close(): Promise<void>;
}

export async function startOpcuaSimulator(sim: FactorySimulation, port: number): Promise<OpcuaSimulator> {
  const pkiDir = mkdtempSync(join(tmpdir(), 'opencep-opcua-pki-'));
  const serverCertificateManager = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: true,
  });
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    resourcePath: '/opencep',
    serverCertificateManager,
    buildInfo: { productName: 'OpenCEP factory simulator', buildNumber: '1' },
  });
  await server.initialize();
  const ns = server.engine.addressSpace!.getOwnNamespace();
  const folder = ns.addFolder(server.engine.addressSpace!.rootFolder.objects, { browseName: 'Factory' });
  for (const [code, n] of Object.entries(OPCUA_NODES)) {
    ns.addVariable({
      componentOf: folder,
      browseName: code,
      nodeId: n.nodeId,
      dataType: 'Double',
      minimumSamplingInterval: 100,
      value: {
        get: () => {
          const p = sim.points().find((x) => x.code === code);
          return new Variant({ dataType: DataType.Double, value: p?.value ?? 0 });
        },
      },
    });
  }
  await server.start();
  return {
    port,
    endpoint: `opc.tcp://127.0.0.1:${port}/opencep`,
    close: async () => {
      await server.shutdown(0);
    },
  };
}
