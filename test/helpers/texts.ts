/** Strings that break text handling: empty, emoji sequences, astral, CJK, RTL, combining marks, control characters. */
export const TEXTS = [
  '',
  'plain ascii',
  'family 👨‍👩‍👧‍👦 rainbow 🏳️‍🌈 flags 🇯🇵🇺🇦 skin 👍🏽',
  'astral 𝕏 𠜎 𝄞 😀',
  '日本語のテキスト、中文标点，한국어 텍스트',
  'مرحبا بالعالم and עברית',
  'combining e\u0301 vs \u00e9, zero-width\u200bspace',
  'line\nbreak\ttab "quotes" \\ backslash \r\n crlf',
  'NUL inside \u0000 a string',
];
