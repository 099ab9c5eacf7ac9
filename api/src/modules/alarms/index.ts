export { AlarmEvaluator } from './alarm-evaluator';
export { ALARM_TOPIC } from './alarms.service';
