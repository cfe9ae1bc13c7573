// Task: count one byte range of a big log file (range-scanner.ts). The
// ranges of a peak hour go to different workers; the main thread merges
// them (merge-ranges.ts).
import { scanRange, type RangeScan, type RangeTask } from '../src/log/range-scanner.js';
import { type TaskResult, failureAsData, injectedFailure, withTransfer } from './task-result.js';

export function mapRange(task: RangeTask & { attempt?: number; fault?: 'once' | 'always' }): TaskResult<RangeScan> {
  injectedFailure(task);
  try {
    const scan = scanRange(task);
    const buffers: ArrayBuffer[] = [];
    for (const h of scan.hours) {
      buffers.push(h.ids.buffer as ArrayBuffer, h.sales.buffer as ArrayBuffer);
      if (h.events) for (const a of [h.events.hashes, h.events.starts, h.events.lens, h.events.arena, h.events.productIds, h.events.quantities]) buffers.push(a.buffer as ArrayBuffer);
    }
    return withTransfer({ ok: true, value: scan }, buffers);
  } catch (err) {
    return failureAsData(err);
  }
}
