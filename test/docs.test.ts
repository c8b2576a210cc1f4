import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MENU } from '../src/bot/commands.js';
import { CONFIG_VARIABLES } from '../src/config.js';

// The README is the operator's manual: every variable the app reads is in its table and in .env.example.

describe('documentation', () => {
  it('README and .env.example name every configuration variable', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(20);
    for (const name of CONFIG_VARIABLES) {
      expect(readme, name).toContain(`\`${name}\``);
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });

  it('README shows every command of the menu with an example', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const command of MENU) {
      expect(readme, command).toMatch(new RegExp(`^\\| \`/${command}\\b.*\\| \`/${command}\\b`, 'm'));
    }
  });
});
