/**
 * What patients take beside their drugs — alcohol, grapefruit, milk, tea — named in questions
 * (头孢和酒能一起吃吗) but not entries of the base: as written, and how drug labels write them in
 * an interaction (乙醇, 含酒精饮料). 茶 is not 茶碱 (theophylline), 烟 is not 异烟肼.
 */
export interface Substance {
  /** How an interaction names it. */
  name: string;
  /** Whether an interaction's partner ("乙醇", "抗酸药或牛奶") is this substance. */
  partner: RegExp;
}

const SUBSTANCES: ReadonlyArray<Substance & { said: readonly string[] }> = [
  { name: '乙醇', said: ['酒', '喝酒', '饮酒', '白酒', '啤酒', '红酒', '黄酒', '酒精', '乙醇', '含酒精饮料'], partner: /乙醇|酒精|饮酒|含酒/u },
  { name: '葡萄柚汁', said: ['葡萄柚', '葡萄柚汁', '西柚', '西柚汁'], partner: /葡萄柚|西柚/u },
  { name: '牛奶', said: ['牛奶', '奶', '乳制品', '酸奶'], partner: /牛奶|乳制品/u },
  { name: '咖啡', said: ['咖啡', '咖啡因'], partner: /咖啡/u },
  { name: '茶', said: ['茶', '浓茶', '喝茶', '茶水', '茶叶'], partner: /茶(?!碱|苯)/u },
  { name: '吸烟', said: ['烟', '吸烟', '抽烟', '香烟'], partner: /吸烟|烟草|香烟/u },
  { name: '食物', said: ['食物', '饭', '吃饭', '进食', '空腹', '饭后', '饭前'], partner: /食物|进食|餐/u },
];

/** The substance a mention names (酒 → 乙醇), or undefined. */
export function substanceNamed(mention: string): Substance | undefined {
  return SUBSTANCES.find((s) => s.said.includes(mention));
}
