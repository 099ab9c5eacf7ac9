import { startSimulator } from './index';

// `npm run simulator -w gateway [modbusPort] [opcuaPort] [speed]`
const [modbusPort = '5020', opcuaPort = '4840', speed = '1'] = process.argv.slice(2);
const sim = await startSimulator({
  modbusPort: Number(modbusPort),
  opcuaPort: Number(opcuaPort),
  speed: Number(speed),
});
console.log(
  `simulator: modbus tcp://127.0.0.1:${sim.modbusPort}  opc ua ${sim.opcuaEndpoint}  speed ×${speed}`,
);
const stop = () => void sim.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
