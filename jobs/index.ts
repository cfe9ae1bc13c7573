// The job registry: every task a worker thread can run, by name. The piscina
// pool loads this one module; the inline runner imports it directly.
export { mapLogs } from './map-logs.js';
export { mapRange } from './map-range.js';
export { checkHours } from './check-hours.js';
export { writeFileBatch } from './write-file-batch.js';
export { writeTopLists } from './write-top-lists.js';
