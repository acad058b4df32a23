/** The models dialog, in Simplified Chinese: the default language and the reference key set. `{name}` marks a parameter. */
export const messages = {
  'models.title': '模型',
  'models.folder': '模型文件夹',
  'models.folderHint': '把 .gguf 基础模型放入此文件夹，LoRA 适配器放入其 lora 子文件夹。',
  'models.refresh': '刷新',
  'models.refreshAria': '重新扫描模型文件夹',
  'models.base': '基础模型',
  'models.adapters': 'LoRA 适配器',
  'models.noModels': '文件夹中还没有 .gguf 模型。',
  'models.noAdapters': 'lora 子文件夹中没有适配器。',
  'models.scale': '强度',
  'models.scaleAria': '{file} 的强度',
  'models.useAdapter': '使用适配器 {file}',
  'models.load': '载入',
  'models.unload': '卸载',
  'models.close': '关闭',
  'models.current': '当前模型',
  'models.none': '未载入',
  'models.context': '上下文 {count}',
  'models.progress': '载入进度',
  'models.phase.hash': '校验文件',
  'models.phase.model': '载入模型',
  'models.phase.adapters': '载入适配器',
  'models.phase.context': '创建上下文',
  'models.phase.start': '准备中',
  'models.cancel': '取消',
  'models.cancelAria': '取消载入模型',
  'models.cancelling': '正在取消…',
  'models.cancelled': '已取消加载。',
  'models.ready': '模型已就绪',
  'models.listFailed': '无法读取模型文件夹',
  'models.crashed': '模型进程意外退出',
  'models.crashedBody': '在此期间杏林依据知识库作答。',
  'models.reload': '重新加载“{model}”',
} as const satisfies Record<string, string>;

declare module '../catalog.js' {
  interface Catalog {
    models: typeof messages;
  }
}
