/** The shell: app name, pane tabs, status bar, language switch, dialogs, the locked page, in Simplified Chinese (the default language and the reference key set; `{name}` marks a parameter). */
export const messages = {
  'app.name': '杏林',
  'app.tagline': '离线临床助手',
  'app.offline': '全部数据仅保存在本机',

  'status.noModel': '未载入模型',
  'status.loading': '正在载入模型…',
  'status.modelError': '模型载入失败',
  'status.modelCrashed': '模型进程意外退出',
  'status.reload': '重新加载',
  'status.reloadAria': '重新加载模型 {model}',
  'status.modelLabel': '模型状态：{value}',
  'status.noAdapters': '无适配器',
  'status.adapters': '适配器',
  'status.cpu': 'CPU',
  'status.gpu': 'GPU（{backend}）',
  'status.threads': '{count} 线程',
  'status.lastSpeed': '上次 {value} tok/s',
  'status.noSpeed': '尚无速度数据',
  'status.models': '模型',
  'status.modelsAria': '打开模型面板',
  'status.knowledgeMode': '知识库模式',
  'status.device': '{backend} · {layers} 层在 GPU',
  'status.deviceAria': '运行设备：{value}',
  'status.memory': '占用：权重 {weights} + 上下文 {contexts}',
  'status.rss': '进程 {value}',
  'status.memoryTitle': '模型权重：内存 {ram}，显存 {vram}；上下文 {count} 个，共 {contexts}；模型进程占用 {rss}；本机可用内存 {free} / {total}',
  'status.memoryUnknown': '未知',
  'status.profile': '配置：{name}',

  'jobs.label': '后台任务',
  'jobs.kind.import': '导入知识库',
  'jobs.kind.load': '载入模型',
  'jobs.kind.draft': '起草病历',
  'jobs.kind.modelImport': '导入模型',
  'jobs.kind.verify': '校验模型',
  'jobs.kind.eval': '评测',
  'jobs.kind.dataset': '生成指令数据',
  'jobs.progressAria': '{kind}：{subject} 的进度',
  'jobs.cancel': '取消',
  'jobs.cancelAria.import': '取消导入知识库：{subject}',
  'jobs.cancelAria.load': '取消载入模型：{subject}',
  'jobs.cancelAria.draft': '取消模型起草：{subject}',
  'jobs.cancelAria.modelImport': '取消导入模型：{subject}',
  'jobs.cancelAria.verify': '取消校验模型：{subject}',
  'jobs.cancelAria.eval': '取消评测：{subject}',
  'jobs.cancelAria.dataset': '取消生成指令数据：{subject}',
  'jobs.cancelling': '正在取消…',
  'jobs.done': '已完成',
  'jobs.cancelled': '已取消',
  'jobs.failed': '失败',
  'jobs.dismissAria': '关闭提示：{kind}：{subject}',
  'jobs.cancelFailed': '未能取消：{message}',
  'jobs.dismissError': '关闭这条提示',

  'language.switch': 'English',
  'language.aria': 'Switch to English（切换为英文界面）',

  'nav.label': '视图',
  'nav.chat': '会话',
  'nav.knowledge': '知识库',

  'list.separator': '、',

  'dialog.cancel': '取消',
  'dialog.confirm': '确定',

  'locked.title': '请用带访问令牌的链接打开杏林',
  'locked.missing': '浏览器模式下，杏林只回应带有访问令牌的链接，以免本机上的其他网页或程序读取会话内容。这个页面打开时没有带上令牌，所以不显示任何内容。',
  'locked.rejected': '这个页面带的访问令牌已经失效（杏林每次启动都会生成新的令牌），所以不显示任何内容。',
  'locked.todo': '请这样做：',
  'locked.step1': '找到运行 xinglin serve 的终端窗口。杏林启动时在其中打印了这样一行：',
  'locked.example': '杏林 浏览器模式已启动 / Xinglin browser mode: http://127.0.0.1:端口/#token=…',
  'locked.step2': '复制这一行里的完整网址（包括 #token= 及其后的全部字符），粘贴到浏览器地址栏打开。',
  'locked.step3': '如果找不到这一行，或杏林已经重新启动过，请重新运行 xinglin serve，并使用新打印的网址。',
  'locked.note': '用该链接打开后，在同一标签页内刷新无需再次输入；新的标签页需要重新使用该链接。',
} as const satisfies Record<string, string>;

declare module '../catalog.js' {
  interface Catalog {
    shell: typeof messages;
  }
}
