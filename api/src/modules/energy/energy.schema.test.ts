import { printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../schema';

describe('energy, alarms and topology GraphQL', () => {
  it('build into the API schema with a rule on every root field', async () => {
    const schema = await buildApiSchema();
    const sdl = printSchema(schema);
    for (const op of [
      'energyDashboard',
      'energyTouSplit',
      'energyCompare',
      'unitConsumption',
      'topologyDiagram',
      'acknowledgeAlarm',
      'alarmEventChanged',
    ]) {
      expect(sdl).toMatch(new RegExp(`\\b${op}[(:]`));
    }
  });
});
