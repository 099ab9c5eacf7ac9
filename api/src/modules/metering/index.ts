import type { ApiModule } from '../../core/module';
import { MeteringResolver } from './metering.resolver';

export {
  ingest,
  ingestInTransaction,
  registerTouClassifier,
  type IngestBatch,
  type IngestResult,
} from './metering.service';
export { startIngestWorker, INGEST_SHARE_TOPIC } from './mqtt-worker';
export { createMeter, meterRollups, parseFormula } from './meter.service';
export const meteringModule: ApiModule = {
  name: 'metering',
  resolvers: [MeteringResolver],
  entities: [],
};
