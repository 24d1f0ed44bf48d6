import { describe, expect, it } from 'vitest';
import { maskPersonalName } from '../../schema/legal-representative.js';

describe('masking a 法定代表人', () => {
  it('keeps the first character of a longer name and hides a one-character name entirely', () => {
    expect(maskPersonalName('张三')).toBe('张*');
    expect(maskPersonalName('欧阳娜娜')).toBe('欧***');
    expect(maskPersonalName('张')).toBe('*');
    expect(maskPersonalName(' 李 ')).toBe('*');
    expect(maskPersonalName('𠀋')).toBe('*');
    expect(maskPersonalName('')).toBe('');
  });
});
