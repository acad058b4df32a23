import { XinglinError } from '../../../contract/index.js';

/** A cancelled build stops where it is: nothing is returned, so nothing is written. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new XinglinError('CANCELLED', '已取消生成指令数据，未写出任何文件');
}
